import { Agent as HttpAgent, request as httpRequest, IncomingMessage } from 'http';
import { Agent as HttpsAgent, request as httpsRequest } from 'https';
import { TargetGuard, TargetRefused } from './target-guard';

export interface Attempt {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface AttemptResult {
  ok: boolean;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** Why it failed, or the start of the receiver's answer (for admins reading the delivery log). */
  note?: string;
  /** The receiver said the endpoint is gone for good (410): the subscription is turned off. */
  gone?: boolean;
  /** The target was refused (private address): no connection was attempted. */
  refused?: boolean;
}

const NOTE_CHARS = 500;

/**
 * A note as the delivery log can keep it: at most NOTE_CHARS, without control characters. The
 * receiver writes much of it, and PostgreSQL text cannot hold U+0000: one NUL in an answer failed
 * the write of the whole batch of outcomes, other receivers' included.
 */
const noteOf = (text: string) => text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').slice(0, NOTE_CHARS);

/**
 * POSTs one delivery. Outbound safety: a time limit on the whole attempt, at most `maxResponseBytes`
 * of the answer read, redirects never followed (a 3xx is a failure), and only addresses the
 * TargetGuard allows connected to. Keep-alive agents reuse connections to busy receivers.
 */
export class WebhookSender {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;
  /** Where every connection's address comes from (IP literals never reach it: checkUrl checked them). */
  private readonly lookup: never;

  constructor(
    private readonly guard: TargetGuard,
    private readonly timeoutMs: number,
    private readonly maxResponseBytes: number,
    maxSockets: number,
  ) {
    this.lookup = guard.lookup() as never;
    this.http = new HttpAgent({ keepAlive: true, maxSockets });
    this.https = new HttpsAgent({ keepAlive: true, maxSockets });
  }

  async send(attempt: Attempt): Promise<AttemptResult> {
    let url: URL;
    try {
      url = this.guard.checkUrl(attempt.url);
    } catch (error) {
      return { ok: false, refused: true, note: (error as Error).message };
    }
    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      const finish = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const secure = url.protocol === 'https:';
      const req = (secure ? httpsRequest : httpRequest)(
        url,
        {
          method: 'POST',
          agent: secure ? this.https : this.http,
          lookup: this.lookup,
          headers: { ...attempt.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(attempt.body)), 'user-agent': 'smart-regency-webhooks/1' },
        },
        (res) => readCapped(res, this.maxResponseBytes).then((text) => finish(outcome(res.statusCode ?? 0, text))),
      );
      const timer = setTimeout(() => {
        const error = new Error(`no answer within ${this.timeoutMs} ms`);
        req.destroy(error);
        // The attempt ends here whatever state the request is in: after a 101 answer, for one,
        // Node drops the socket but emits neither 'response' nor 'error', and the attempt (with
        // its delivery slot) would wait forever.
        finish({ ok: false, note: error.message });
      }, this.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        const refused = error.code === 'ETARGETREFUSED';
        finish({ ok: false, refused, note: noteOf(refused ? error.message : `${error.code ? `${error.code}: ` : ''}${error.message}`) });
      });
      req.end(attempt.body);
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

function outcome(status: number, text: string): AttemptResult {
  if (status >= 200 && status < 300) return { ok: true, status };
  if (status >= 300 && status < 400) return { ok: false, status, note: `redirects are not followed (HTTP ${status})` };
  return { ok: false, status, gone: status === 410, note: noteOf(text) || `HTTP ${status}` };
}

/** Reads at most `max` bytes of a response, then drops the connection's remainder. */
function readCapped(res: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      if (size < max) chunks.push(chunk.subarray(0, max - size));
      size += chunk.length;
      if (size > max) res.destroy();
    });
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    res.on('end', done);
    res.on('close', done);
    res.on('error', done);
  });
}

export { TargetRefused };

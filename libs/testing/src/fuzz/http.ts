import { Agent, request } from 'http';
import { WireRequest } from './request';

export interface Answer {
  /** 0: no HTTP answer (see `error`). */
  status: number;
  error?: string;
  contentType?: string;
  requestId?: string;
  /** The first bytes of the answer's body. */
  excerpt: string;
  ms: number;
}

const KEEP_BYTES = 4096;

/** Sends one request as given (no normalising of path, headers or body) and reads the whole answer. */
export function send(base: URL, wire: WireRequest, agent: Agent, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: Omit<Answer, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...answer, ms: Math.round(performance.now() - started) });
    };
    let req;
    try {
      req = request({
        agent,
        host: base.hostname,
        port: base.port,
        method: wire.method,
        path: wire.path,
        headers: { ...wire.headers, ...(wire.body ? { 'content-length': String(wire.body.length) } : {}) },
      });
    } catch (error) {
      // Node itself refused the request (a character it will not put on the wire): not the server's doing.
      done({ status: -1, error: `client refused: ${(error as Error).message}`, excerpt: '' });
      return;
    }
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept < KEEP_BYTES) {
          chunks.push(chunk);
          kept += chunk.length;
        }
      });
      const finish = () =>
        done({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          requestId: typeof res.headers['x-request-id'] === 'string' ? res.headers['x-request-id'] : undefined,
          excerpt: Buffer.concat(chunks).subarray(0, KEEP_BYTES).toString('utf8'),
        });
      res.on('end', finish);
      // The server may close right after a short answer (431, 413): the status is what counts.
      res.on('error', finish);
      res.on('aborted', finish);
    });
    req.on('error', (error: NodeJS.ErrnoException) => done({ status: 0, error: error.code ?? error.message, excerpt: '' }));
    req.end(wire.body);
  });
}

import { Agent } from 'http';
import { Schedule } from './catalogue';
import { Answer, send } from './http';
import { FuzzOperation, Schemas } from './operations';
import { Rng } from './random';
import { toWire, validDraft, WireRequest } from './request';
import { ProcessWatch } from './watch';

/** The system under test, as the fuzzer sees it. */
export interface FuzzTarget {
  baseUrl: string;
  operations: FuzzOperation[];
  schemas: Schemas;
  /** Real ids and codes: `<segment>.<param>` and `field.<name>` (see ValueContext). */
  pools: Record<string, readonly string[]>;
  /** `Bearer …` per actor name. */
  bearer: Record<string, string>;
  /** Per operation id, the actors it lets in (see probeActors); without it, actors are drawn at random. */
  allowed?: Record<string, string[]>;
}

export interface FuzzProgress {
  done: number;
  total: number;
  seconds: number;
  byClass: Record<string, number>;
  crashes: number;
  paused: boolean;
}

export interface FuzzOptions {
  seed: number;
  count: number;
  concurrency?: number;
  /** Send only these request numbers (each is the same request as in a full run with the seed). */
  only?: number[];
  timeoutMs?: number;
  watch?: ProcessWatch;
  /** After a process went down: start it again and go on (needs watch.restart), or end the run. */
  onCrash?: 'restart' | 'stop';
  maxRestarts?: number;
  /** Replay the requests in flight when a process died, one at a time, to find the one that kills it. */
  confirmCrashes?: boolean;
  onProgress?: (progress: FuzzProgress) => void;
}

/** One request as sent: enough to send it again. */
export interface Example {
  index: number;
  operation: string;
  mutation: string;
  variant: string;
  actor: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  bodyBytes: number;
  body?: Buffer;
  status?: number;
  code?: string;
  error?: string;
  answer?: string;
  requestId: string;
  ms?: number;
  /** What the same request got when sent again (after no answer). */
  retried?: string;
  /** For a failed answer: the longest-running other request in flight as it came (a slow one starves the rest). */
  concurrent?: string;
  /** What the processes logged about it (filled when the run ends, where logs are readable). */
  logs?: string[];
}

/** Every answer ≥ 500 (or none at all) of one route, mutation, status and error code. */
export interface Finding {
  key: string;
  operation: string;
  mutation: string;
  status: number;
  code?: string;
  count: number;
  example: Example;
}

export interface Crash {
  process: string;
  detail: string;
  at: string;
  /** Requests answered before it was noticed. */
  afterRequests: number;
  lastLines: string[];
  /** Requests in flight, and the last ones answered, when it went down. */
  suspects: Example[];
  /** The suspect that took it down again when replayed alone. */
  culprit?: Example;
  note: string;
}

export interface FuzzResult {
  seed: number;
  requested: number;
  sent: number;
  seconds: number;
  perSecond: number;
  concurrency: number;
  byClass: Record<string, number>;
  byStatus: Record<string, number>;
  byMutation: Record<string, { sent: number; failed: number; meanMs: number; maxMs: number }>;
  /**
   * Refusals of /api/v1 requests that are not RFC 9457 problem+json (the API's error contract), by
   * status and content type, with one example each. Reported, not failed on.
   */
  notProblemJson: Array<{ key: string; count: number; example: Pick<Example, 'index' | 'operation' | 'mutation' | 'variant' | 'method' | 'status' | 'answer'> & { path: string } }>;
  /** The slowest answers (a slow one is a denial of service in waiting). */
  slowest: Array<Pick<Example, 'index' | 'operation' | 'mutation' | 'variant' | 'status' | 'ms'>>;
  /** Answers ≥ 500 or none while a process was down: counted, not findings of their own. */
  collateral: number;
  findings: Finding[];
  crashes: Crash[];
  processes: Array<{ name: string; up: boolean; detail?: string; restarts: number }>;
  stoppedEarly?: string;
  ok: boolean;
}

interface Sent {
  example: Example;
  wire: WireRequest;
  startedAt: number;
  endedAt?: number;
}

interface Outage {
  names: Set<string>;
  detail: Map<string, string>;
  from: number;
  to?: number;
  resumed: Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Status -1: node would not send it; -2: the server cut a large request short (see dispatch). */
const classOf = (status: number) =>
  status === -1 ? 'refused by client' : status === -2 ? 'reset while sending a large request' : status === 0 ? 'no answer' : `${Math.floor(status / 100)}xx`;

/**
 * A server may answer a request it refuses (431 for a head over node's 16 KiB, 413, 401 before the
 * body) and close before it has read it all; the client then sees a reset instead of the answer.
 */
const LARGE_HEAD_BYTES = 15 * 1024;
const LARGE_BODY_BYTES = 64 * 1024;
const headBytes = (wire: WireRequest) => wire.method.length + wire.path.length + Object.entries(wire.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0) + 40;
const isLarge = (wire: WireRequest) => headBytes(wire) > LARGE_HEAD_BYTES || (wire.body?.length ?? 0) > LARGE_BODY_BYTES;

function codeOf(answer: Answer): string | undefined {
  try {
    const body = JSON.parse(answer.excerpt);
    if (typeof body?.code === 'string') return body.code;
    if (Array.isArray(body) && typeof body[0]?.code === 'number') return `open311:${body[0].code}`;
  } catch {
    // not JSON, or cut short
  }
  return undefined;
}

/**
 * Sends `count` mutated requests to the target with `concurrency` in flight, watching the
 * processes, and returns what it found. Never throws for what the system answers.
 */
export class FuzzRun {
  private readonly schedule: Schedule;
  private readonly base: URL;
  private readonly agent: Agent;
  private readonly inFlight = new Map<number, Sent>();
  private readonly recent: Sent[] = [];
  private readonly outages: Outage[] = [];
  private outage?: Outage;
  private release?: () => void;
  private stopped?: string;
  private readonly restarts = new Map<string, number>();
  private readonly result: FuzzResult;
  private readonly findings = new Map<string, Finding>();
  private readonly handling: Array<Promise<void>> = [];

  constructor(
    private readonly target: FuzzTarget,
    private readonly options: FuzzOptions,
  ) {
    this.schedule = new Schedule(target.operations, options.seed);
    this.base = new URL(target.baseUrl);
    // A socket per request (the workers bound the concurrency): an agent with a socket limit keeps
    // sockets alive for its queue, and one the server closed after an error answer would reset the
    // next request on it, a false finding.
    this.agent = new Agent({ keepAlive: false });
    this.result = {
      seed: options.seed,
      requested: options.only?.length ?? options.count,
      sent: 0,
      seconds: 0,
      perSecond: 0,
      concurrency: options.concurrency ?? 8,
      byClass: {},
      byStatus: {},
      byMutation: {},
      slowest: [],
      notProblemJson: [],
      collateral: 0,
      findings: [],
      crashes: [],
      processes: [],
      ok: false,
    };
  }

  /** Requests until every (operation, mutation) pair has been sent once. */
  get fullCoverage(): number {
    return this.schedule.fullCoverage;
  }

  /** Request N of the run, built exactly as the run builds it. */
  build(index: number): Sent {
    const { seed } = this.options;
    const rng = Rng.of(seed, index);
    const { op, mutation } = this.schedule.at(index);
    const draft = validDraft(op, { rng, schemas: this.target.schemas, pools: this.target.pools }, { bearer: this.target.bearer, allowed: this.target.allowed });
    const variant = mutation.apply(draft, { rng, schemas: this.target.schemas, bearer: this.target.bearer });
    const requestId = `fuzz-${seed}-${index}`;
    if (draft.headers['x-request-id'] === undefined) draft.headers['x-request-id'] = requestId;
    const wire = toWire(draft);
    return {
      wire,
      startedAt: 0,
      example: {
        index,
        operation: op.id,
        mutation: mutation.name,
        variant,
        actor: draft.actor,
        method: wire.method,
        path: wire.path,
        headers: wire.headers,
        bodyBytes: wire.body?.length ?? 0,
        ...(wire.body ? { body: wire.body } : {}),
        requestId,
      },
    };
  }

  async run(): Promise<FuzzResult> {
    const { watch, onProgress } = this.options;
    const indices = this.options.only ?? Array.from({ length: this.options.count }, (_, i) => i);
    const started = performance.now();
    watch?.onDown((name, detail) => this.down(name, detail));
    const progress = () =>
      onProgress?.({
        done: this.result.sent,
        total: indices.length,
        seconds: (performance.now() - started) / 1000,
        byClass: this.result.byClass,
        crashes: this.result.crashes.length,
        paused: !!this.outage,
      });
    const timer = setInterval(progress, 500);
    let cursor = 0;
    const worker = async () => {
      for (;;) {
        while (this.outage && !this.stopped) await this.outage.resumed;
        if (this.stopped || cursor >= indices.length) return;
        const sent = this.build(indices[cursor++]);
        await this.dispatch(sent);
      }
    };
    try {
      await Promise.all(Array.from({ length: this.result.concurrency }, worker));
      while (this.handling.length) await this.handling.shift();
    } finally {
      clearInterval(timer);
      progress();
    }
    this.result.seconds = Math.round((performance.now() - started) / 100) / 10;
    this.result.perSecond = Math.round(this.result.sent / Math.max(this.result.seconds, 0.001));
    await this.finish();
    return this.result;
  }

  private async dispatch(sent: Sent): Promise<void> {
    const { example } = sent;
    sent.startedAt = Date.now();
    this.inFlight.set(example.index, sent);
    let answer = await send(this.base, sent.wire, this.agent, this.options.timeoutMs ?? 30_000);
    this.inFlight.delete(example.index);
    if (answer.status >= 500 || answer.status === 0) {
      // The longest request that started before this one and overlapped it: in flight, or answered
      // meanwhile (the gateway may give up on a request a service is still busy with).
      const overlapping = [...this.inFlight.values(), ...this.recent.filter((r) => (r.endedAt ?? 0) >= sent.startedAt)];
      const oldest = overlapping.filter((o) => o.startedAt < sent.startedAt && o !== sent).sort((a, b) => a.startedAt - b.startedAt)[0];
      if (oldest && Date.now() - oldest.startedAt > 5000) {
        const o = oldest.example;
        example.concurrent = `#${o.index} ${o.operation} × ${o.mutation} (${o.variant}), started ${((sent.startedAt - oldest.startedAt) / 1000).toFixed(1)} s earlier${o.status !== undefined ? `, answered ${o.status || o.error}` : ', still running'}`;
      }
    }
    sent.endedAt = Date.now();
    if (answer.status === 0 && /ECONNRESET|EPIPE/.test(answer.error ?? '')) {
      // Once more: a large request may get its answer the second time; a small one says whether the reset is steady.
      const again = await send(this.base, sent.wire, this.agent, this.options.timeoutMs ?? 30_000);
      example.retried = again.status ? `answered ${again.status} when sent again` : `no answer again (${again.error})`;
      if (isLarge(sent.wire)) answer = again.status ? again : { ...answer, status: -2 };
    }
    Object.assign(example, { status: answer.status, ms: answer.ms, answer: answer.excerpt.slice(0, 600) });
    const code = codeOf(answer);
    if (code) example.code = code;
    if (answer.error) example.error = answer.error;
    if (answer.requestId) example.requestId = answer.requestId;
    this.recent.push(sent);
    if (this.recent.length > 256) this.recent.shift();

    const failed = answer.status >= 500 || answer.status === 0;
    // A process may be going down right now: give its exit a moment to be noticed first.
    if (failed && this.options.watch) await sleep(300);
    const r = this.result;
    r.sent++;
    const m = (r.byMutation[example.mutation] ??= { sent: 0, failed: 0, meanMs: 0, maxMs: 0 });
    m.sent++;
    m.meanMs += (answer.ms - m.meanMs) / m.sent;
    m.maxMs = Math.max(m.maxMs, answer.ms);
    if (r.slowest.length < 10 || answer.ms > r.slowest[r.slowest.length - 1].ms!) {
      r.slowest.push({ index: example.index, operation: example.operation, mutation: example.mutation, variant: example.variant, status: answer.status, ms: answer.ms });
      r.slowest.sort((a, b) => b.ms! - a.ms!);
      r.slowest.length = Math.min(r.slowest.length, 10);
    }
    if (failed && this.overlapsOutage(sent)) {
      r.collateral++;
      return;
    }
    if (answer.status >= 400 && answer.status < 500 && example.method !== 'HEAD' && example.path.startsWith('/api/') && !/^application\/problem\+json/.test(answer.contentType ?? '')) {
      const key = `${answer.status} ${answer.contentType ?? '(no content type)'}`;
      const known = r.notProblemJson.find((x) => x.key === key);
      if (known) known.count++;
      else r.notProblemJson.push({ key, count: 1, example: { index: example.index, operation: example.operation, mutation: example.mutation, variant: example.variant, method: example.method, path: example.path.slice(0, 200), status: answer.status, answer: answer.excerpt.slice(0, 200) } });
    }
    const cls = classOf(answer.status);
    r.byClass[cls] = (r.byClass[cls] ?? 0) + 1;
    r.byStatus[String(answer.status)] = (r.byStatus[String(answer.status)] ?? 0) + 1;
    if (!failed) return;
    m.failed++;
    const key = `${example.operation} × ${example.mutation} → ${answer.status || answer.error} ${code ?? ''}`.trim();
    const finding = this.findings.get(key);
    if (finding) finding.count++;
    else this.findings.set(key, { key, operation: example.operation, mutation: example.mutation, status: answer.status, ...(code ? { code } : {}), count: 1, example });
  }

  private overlapsOutage(sent: Sent): boolean {
    // A second of slack before the exit was seen: the process was dying while it answered.
    return this.outages.some((o) => sent.startedAt <= (o.to ?? Infinity) && (sent.endedAt ?? Date.now()) >= o.from - 1000);
  }

  /** A process went down: hold new requests, let the ones in flight end, then restart or stop. */
  private down(name: string, detail: string): void {
    if (this.outage && this.outage.to === undefined) {
      this.outage.names.add(name);
      this.outage.detail.set(name, detail);
      return;
    }
    const outage: Outage = { names: new Set([name]), detail: new Map([[name, detail]]), from: Date.now(), resumed: new Promise((r) => (this.release = r)) };
    this.outage = outage;
    this.outages.push(outage);
    // First the requests the gateway gave up on in the last minute (a service may still have been
    // busy with one when it died), then those in flight, then the ones answered in the last 3 s.
    const gaveUp = this.recent.filter((s) => (s.example.status === 503 || s.example.status === 0) && (s.endedAt ?? 0) >= outage.from - 60_000);
    const lately = this.recent.filter((s) => (s.endedAt ?? 0) >= outage.from - 3000 && !gaveUp.includes(s)).reverse();
    const suspects = [...gaveUp, ...this.inFlight.values(), ...lately];
    this.handling.push(this.recover(outage, suspects));
  }

  private async recover(outage: Outage, suspects: Sent[]): Promise<void> {
    const { watch } = this.options;
    const afterRequests = this.result.sent;
    const deadline = Date.now() + (this.options.timeoutMs ?? 30_000) + 5000;
    while (this.inFlight.size && Date.now() < deadline) await sleep(100);
    await sleep(500);
    const crashes: Crash[] = [...outage.names].map((name) => ({
      process: name,
      detail: outage.detail.get(name) ?? '',
      at: new Date(outage.from).toISOString(),
      afterRequests,
      lastLines: watch?.lastLines?.(name, 25) ?? [],
      suspects: suspects.slice(0, 12).map((s) => ({ ...s.example })),
      note: '',
    }));
    this.result.crashes.push(...crashes);
    try {
      const canRestart = this.options.onCrash === 'restart' && !!watch?.restart;
      const tooMany = [...outage.names].find((n) => (this.restarts.get(n) ?? 0) >= (this.options.maxRestarts ?? 10));
      if (!canRestart || tooMany) {
        this.stopped = tooMany ? `${tooMany} went down more than ${this.options.maxRestarts ?? 10} times` : `${[...outage.names].join(', ')} went down`;
        for (const c of crashes) c.note = 'not restarted: the run stopped here';
        return;
      }
      await this.restartAll([...outage.names]);
      if (this.options.confirmCrashes) await this.confirm(crashes, suspects);
      else for (const c of crashes) c.note = 'restarted; suspects not replayed';
    } catch (error) {
      this.stopped = `could not restart: ${(error as Error).message.split('\n')[0].slice(0, 300)}`;
      for (const c of crashes) c.note ||= this.stopped;
    } finally {
      outage.to = Date.now();
      this.outage = undefined;
      this.release?.();
    }
  }

  /** Starts every process named, then waits for the system to be ready (one alone would wait on the others). */
  private async restartAll(names: string[]): Promise<void> {
    const watch = this.options.watch!;
    for (const name of names) {
      this.restarts.set(name, (this.restarts.get(name) ?? 0) + 1);
      await watch.restart!(name);
    }
    // A process may have died while the others were starting.
    const still = (await watch.down()).map((d) => d.name);
    for (const name of still) await watch.restart!(name);
    await watch.ready?.();
  }

  /** Replays each suspect alone; the first after which a process is down is the culprit. */
  private async confirm(crashes: Crash[], suspects: Sent[]): Promise<void> {
    const watch = this.options.watch!;
    const agent = new Agent({ keepAlive: false });
    const budgetEnds = Date.now() + 180_000;
    try {
      for (const suspect of suspects.slice(0, 12)) {
        if (Date.now() > budgetEnds) break;
        const wire = { ...suspect.wire, headers: { ...suspect.wire.headers, 'x-request-id': `${suspect.example.requestId}-replay` } };
        const answer = await send(this.base, wire, agent, this.options.timeoutMs ?? 30_000);
        // A service may still be busy with it after the gateway gave up waiting: then watch a minute.
        const watchUntil = Date.now() + (answer.status >= 500 || answer.status === 0 ? 60_000 : Math.min(3000 + answer.ms, 30_000));
        let down = await watch.down();
        while (!down.length && Date.now() < watchUntil) {
          await sleep(250);
          down = await watch.down();
        }
        if (!down.length) continue;
        for (const c of crashes) {
          if (!down.some((d) => d.name === c.process)) continue;
          c.culprit = { ...suspect.example };
          c.note = `request #${suspect.example.index} alone took ${c.process} down again`;
        }
        await this.restartAll(down.map((d) => d.name));
        break;
      }
    } finally {
      agent.destroy();
    }
    for (const c of crashes) if (!c.culprit) c.note = `no single suspect took ${c.process} down again when replayed alone (state or timing?)`;
  }

  private async finish(): Promise<void> {
    const { watch } = this.options;
    this.agent.destroy();
    const findings = [...this.findings.values()].sort((a, b) => a.key.localeCompare(b.key));
    if (watch?.linesFor) {
      for (const f of findings) f.example.logs = watch.linesFor(f.example.requestId).map((l) => `${l.process}: ${l.line}`);
      for (const c of this.result.crashes) {
        if (c.culprit) c.culprit.logs = [c.culprit.requestId, `${c.culprit.requestId}-replay`].flatMap((id) => watch.linesFor!(id).map((l) => `${l.process}: ${l.line}`));
      }
    }
    // A process that dies of the last requests takes a moment to be seen.
    if (watch) await sleep(1000);
    while (this.handling.length) await this.handling.shift();
    const down = watch ? await watch.down() : [];
    watch?.close();
    for (const d of down) {
      if (this.result.crashes.some((c) => c.process === d.name && c.note.startsWith('not restarted'))) continue;
      this.result.crashes.push({ process: d.name, detail: d.detail, at: new Date().toISOString(), afterRequests: this.result.sent, lastLines: watch?.lastLines?.(d.name, 25) ?? [], suspects: this.recent.slice(-8).reverse().map((s) => ({ ...s.example })), note: 'found down when the run ended' });
    }
    this.result.findings = findings;
    this.result.processes = (watch?.names ?? []).map((name) => {
      const d = down.find((x) => x.name === name);
      return { name, up: !d, ...(d ? { detail: d.detail } : {}), restarts: this.restarts.get(name) ?? 0 };
    });
    if (this.stopped) this.result.stoppedEarly = this.stopped;
    this.result.ok = !findings.length && !this.result.crashes.length && !down.length;
  }
}

/** Runs a fuzz pass: see FuzzRun. */
export function fuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzResult> {
  return new FuzzRun(target, options).run();
}

import type { TestSystem } from '../process';

/** Which processes are up, word when one goes down, and (where the fuzzer owns them) their logs and restarts. */
export interface ProcessWatch {
  readonly names: string[];
  /** Calls back once per observed exit (again after each restart). */
  onDown(listener: (name: string, detail: string) => void): void;
  /** The processes that are not up now, each with what is known. */
  down(): Promise<Array<{ name: string; detail: string }>>;
  /** Starts a process that went down again (see ready()). */
  restart?(name: string): Promise<void>;
  /** Waits until the whole system answers as ready again (after restarts). */
  ready?(): Promise<void>;
  /** Lines any process printed that mention the request id. */
  linesFor?(requestId: string): Array<{ process: string; line: string }>;
  lastLines?(name: string, n: number): string[];
  close(): void;
}

/** The processes of a TestSystem this run started: exits seen at once, logs read, restarts possible. */
export function systemWatch(system: TestSystem): ProcessWatch {
  let closed = false;
  const listeners: Array<(name: string, detail: string) => void> = [];
  const subscribe = (name: string) => {
    const proc = system.processes.get(name as never)!;
    void proc.exited().then((code) => {
      if (!closed) for (const l of listeners) l(name, `exited with code ${code}`);
    });
  };
  const names = [...system.processes.keys()];
  return {
    names,
    onDown(listener) {
      if (!listeners.length) names.forEach(subscribe);
      listeners.push(listener);
    },
    async down() {
      return names.filter((n) => !system.processes.get(n as never)!.running).map((name) => ({ name, detail: 'not running' }));
    },
    async restart(name) {
      await system.processes.get(name as never)!.start();
      subscribe(name);
    },
    async ready() {
      await system.waitUntilReady(60_000);
    },
    linesFor(requestId) {
      const out: Array<{ process: string; line: string }> = [];
      // Exactly this id (as a JSON string), not every id it is the start of.
      const quoted = JSON.stringify(requestId);
      for (const [process, proc] of system.processes) for (const line of proc.output) if (line.includes(quoted)) out.push({ process, line });
      return out;
    },
    lastLines(name, n) {
      return system.processes.get(name as never)?.output.slice(-n) ?? [];
    },
    close() {
      closed = true;
    },
  };
}

/**
 * Processes known only by a health URL each (`--url` runs): polled every second; one that fails
 * twice in a row is reported down.
 */
export function urlWatch(healthUrls: Record<string, string>, everyMs = 1000): ProcessWatch {
  const listeners: Array<(name: string, detail: string) => void> = [];
  const failures = new Map<string, number>();
  const probe = async (url: string): Promise<string | undefined> => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      return res.ok ? undefined : `GET ${url}: ${res.status}`;
    } catch (error) {
      return `GET ${url}: ${(error as Error).message}`;
    }
  };
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    for (const [name, url] of Object.entries(healthUrls)) {
      const problem = await probe(url);
      const n = problem ? (failures.get(name) ?? 0) + 1 : 0;
      failures.set(name, n);
      if (n === 2) for (const l of listeners) l(name, problem!);
    }
    busy = false;
  }, everyMs);
  timer.unref();
  return {
    names: Object.keys(healthUrls),
    onDown(listener) {
      listeners.push(listener);
    },
    async down() {
      const found: Array<{ name: string; detail: string }> = [];
      for (const [name, url] of Object.entries(healthUrls)) {
        const problem = await probe(url);
        if (problem) found.push({ name, detail: problem });
      }
      return found;
    },
    close() {
      clearInterval(timer);
    },
  };
}

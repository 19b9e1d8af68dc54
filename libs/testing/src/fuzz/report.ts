import { Crash, Example, FuzzProgress, FuzzResult } from './runner';

const fmt = (n: number) => n.toLocaleString('en-US');

/** A body as a finding shows it: its start, escaped, and its size. */
export function bodyExcerpt(body: Buffer | undefined, max = 240): string {
  if (!body?.length) return '(none)';
  const text = body.subarray(0, max * 4).toString('utf8');
  const shown = JSON.stringify(text.slice(0, max));
  return `${shown}${body.length > max ? `… (${fmt(body.length)} bytes)` : ''}`;
}

const short = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${fmt(text.length)} chars)` : text);

/** One log line as a finding shows it: process, level, message and the error's first lines. */
export function logSummary(entry: string): string {
  const at = entry.indexOf(': ');
  const process = entry.slice(0, at);
  const line = entry.slice(at + 2);
  try {
    const r = JSON.parse(line);
    const err = r.err ?? r.error;
    const stack = typeof err?.stack === 'string' ? err.stack.split('\n').slice(1, 3).map((s: string) => s.trim()).join(' ← ') : '';
    const what = err ? `${err.type ?? err.name ?? 'Error'}: ${err.message ?? ''}` : (r.outcome ?? '');
    // Some filters log the stack as the message: its first line and first frame say enough.
    const [msg, ...frames] = String(r.msg ?? '').split('\n');
    const frame = frames.length ? ` (${frames[0].trim()})` : '';
    return short(`${process} [${r.level}]${r.subject ? ` ${r.subject}` : ''} ${msg}${frame}${what ? ` — ${what}` : ''}${stack ? ` (${stack})` : ''}`, 600);
  } catch {
    return short(`${process}: ${line}`, 600);
  }
}

/** The error lines of a request's logs (warn and worse), without the access lines, or all when none. */
export function telling(logs: string[] = []): string[] {
  const parsed = logs.map((l) => {
    try {
      return { l, r: JSON.parse(l.slice(l.indexOf(': ') + 2)) };
    } catch {
      return { l, r: undefined };
    }
  });
  const errors = parsed.filter(({ r }) => !r || (r.level >= 40 && r.msg !== 'request completed'));
  return (errors.length ? errors : parsed).map(({ l }) => logSummary(l));
}

/** What an engineer needs to send the request again. */
export function describeExample(e: Example, baseUrl?: string, reproduce?: string): string[] {
  const headers = Object.entries(e.headers)
    .filter(([k]) => k !== 'x-request-id' || !e.headers[k].startsWith('fuzz-'))
    .map(([k, v]) => `${k}: ${k === 'authorization' && e.actor !== 'malformed' && e.actor !== 'forged' && e.actor !== 'tampered' ? `<${e.actor} token>` : short(v, 120)}`);
  const lines = [
    `request #${e.index}: ${e.mutation} — ${e.variant}${e.actor !== 'none' ? ` (as ${e.actor})` : ''}`,
    `  ${e.method} ${short(e.path, 300)}`,
    ...(headers.length ? [`  headers: ${headers.join(' | ')}`] : []),
    `  body: ${bodyExcerpt(e.body)}`,
    `  answer: ${e.status ? `${e.status}` : `none (${e.error})`}${e.ms !== undefined ? ` after ${e.ms} ms` : ''}${e.answer ? ` ${short(e.answer.replace(/\s+/g, ' '), 300)}` : ''}${e.retried ? `; ${e.retried}` : ''}`,
  ];
  if (e.concurrent && (e.status === 503 || !e.status)) lines.push(`  in flight meanwhile: ${e.concurrent}`);
  const logs = telling(e.logs);
  if (logs.length) lines.push(`  logged (request id ${e.requestId}):`, ...logs.slice(0, 4).map((l) => `    ${l}`));
  else if (!e.logs) lines.push(`  request id ${e.requestId}${baseUrl ? ' (grep the processes\' logs for it)' : ''}`);
  if (reproduce) lines.push(`  again: ${reproduce.replace('{index}', String(e.index))}`);
  return lines;
}

/** The last error a process printed before it went down: an uncaught error's first lines, or its last error log line. */
function lastError(lines: string[]): string[] {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (/^\S*(Error|Exception)\b|^\w*Error:/.test(line)) return lines.slice(i, i + 4);
    if (/"level":(50|60)|"level":"(error|fatal)"/.test(line)) return [line];
  }
  return lines.slice(-3);
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** What a finding's logs say went wrong, a service's own error before the gateway's: the cause that groups findings. */
export function causeOf(e: Example): string {
  const errors = (e.logs ?? []).flatMap((entry) => {
    const at = entry.indexOf(': ');
    try {
      const r = JSON.parse(entry.slice(at + 2));
      const level = typeof r.level === 'number' ? r.level : (LEVELS[r.level] ?? 0);
      // The access line and the interceptor's outcome line say only that it failed.
      return level >= 50 && r.msg !== 'request completed' && !/^handled /.test(r.msg ?? '') ? [{ process: entry.slice(0, at), r }] : [];
    } catch {
      return [];
    }
  });
  const pick = errors.find((x) => x.process !== 'gateway') ?? errors[0];
  if (!pick) {
    const status = `${e.status || e.error} ${e.code ?? ''}`.trim();
    if (!e.logs) return `${status} (logs not read: look the request id up in them)`;
    // Nothing failed in a process: a timeout, usually a slow request that held the gateway or a service up.
    const stalledBy = e.status === 503 || !e.status ? e.concurrent?.replace(/^#\d+ /, '').replace(/, started [\d.]+ s earlier.*$/, '') : undefined;
    return `${status}${stalledBy ? ` while in flight: ${stalledBy}` : ' (nothing logged)'}`;
  }
  const err = pick.r.err;
  const [first, ...frames] = String(err ? `${err.type ?? 'Error'}: ${err.message}\n${err.stack?.split('\n').slice(1).join('\n') ?? ''}` : pick.r.msg).split('\n');
  const where = frames.map((f) => /^\s*at (?:async )?([\w$.<>]+) /.exec(f)?.[1]).find((name) => name && !/^process\./.test(name));
  return `${pick.process}: ${first.slice(0, 160)}${where ? ` (in ${where})` : ''}`;
}

function crashLines(c: Crash, reproduce?: string): string[] {
  const fatal = lastError(c.lastLines);
  const lines = [`${c.process} ${c.detail} at ${c.at}, after ${fmt(c.afterRequests)} answers. ${c.note}`];
  if (fatal.length) lines.push('  last error lines:', ...fatal.map((l) => `    ${logSummary(`${c.process}: ${l}`)}`));
  if (c.culprit) lines.push('  culprit:', ...describeExample(c.culprit, undefined, reproduce).map((l) => `  ${l}`));
  else if (c.suspects.length) {
    lines.push(`  suspects (in flight or just answered; ${c.suspects.length}):`);
    for (const s of c.suspects.slice(0, 6)) lines.push(`    #${s.index} ${s.operation} × ${s.mutation} — ${s.variant}${s.status !== undefined ? ` → ${s.status || s.error}` : ''}`);
  }
  return lines;
}

/**
 * The end-of-run summary: requests by status class, every answer ≥ 500 by route and mutation with
 * one example each, every crash, and whether every process is still up.
 */
export function formatReport(r: FuzzResult, { baseUrl, reproduce }: { baseUrl?: string; reproduce?: string } = {}): string {
  const out: string[] = [];
  out.push(`fuzz: ${fmt(r.sent)} requests in ${r.seconds} s (${fmt(r.perSecond)} req/s), seed ${r.seed}, concurrency ${r.concurrency}${baseUrl ? `, against ${baseUrl}` : ''}`);
  if (r.stoppedEarly) out.push(`stopped early: ${r.stoppedEarly}`);
  const classes = Object.entries(r.byClass)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${fmt(v)}`);
  out.push(`answers: ${classes.join(' · ')}${r.collateral ? ` · while a process was down: ${fmt(r.collateral)}` : ''}`);
  out.push(
    `statuses: ${Object.entries(r.byStatus)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([k, v]) => `${k}×${fmt(v)}`)
      .join(' ')}`,
  );
  const failing = Object.entries(r.byMutation).filter(([, m]) => m.failed);
  if (failing.length) out.push(`mutations with answers ≥ 500: ${failing.map(([k, m]) => `${k} ${m.failed}/${m.sent}`).join(', ')}`);
  out.push(`slowest: ${r.slowest.slice(0, 5).map((x) => `#${x.index} ${x.operation} × ${x.mutation} (${x.variant.slice(0, 50)}) ${x.ms} ms → ${x.status}`).join('; ')}`);
  out.push(`processes: ${r.processes.length ? r.processes.map((p) => `${p.name} ${p.up ? 'up' : `DOWN (${p.detail})`}${p.restarts ? `, restarted ${p.restarts}×` : ''}`).join(' · ') : 'not watched'}`);
  out.push('');
  if (r.findings.length) {
    const total = r.findings.reduce((n, f) => n + f.count, 0);
    const causes = new Map<string, string[]>();
    for (const f of r.findings) causes.set(causeOf(f.example), [...(causes.get(causeOf(f.example)) ?? []), `${f.operation} × ${f.mutation}`]);
    out.push(`causes of answers ≥ 500 (from the processes' logs): ${causes.size}`);
    for (const [cause, keys] of [...causes].sort((a, b) => b[1].length - a[1].length)) out.push(`  - ${cause} — ${keys.length} group(s): ${short(keys.join('; '), 400)}`);
    out.push('');
    out.push(`answers ≥ 500 or none: ${fmt(total)} in ${r.findings.length} groups (route × mutation → status code)`);
    r.findings.forEach((f, i) => {
      out.push(`${i + 1}. ${f.key} — ${fmt(f.count)}×`);
      out.push(...describeExample(f.example, baseUrl, reproduce).map((l) => `   ${l}`));
    });
    out.push('');
  } else out.push('answers ≥ 500 or none: 0');
  if (r.crashes.length) {
    out.push(`processes that went down: ${r.crashes.length}`);
    r.crashes.forEach((c, i) => out.push(...crashLines(c, reproduce).map((l, j) => (j ? `   ${l}` : `${i + 1}. ${l}`))));
    out.push('');
  } else out.push('processes that went down: 0');
  if (r.notProblemJson.length) {
    out.push(`refusals of /api/v1 requests not in problem+json (not failed on): ${r.notProblemJson.map((x) => `${x.key} ×${fmt(x.count)}`).join(', ')}`);
    for (const x of r.notProblemJson) out.push(`  - ${x.key}: e.g. #${x.example.index} ${x.example.method} ${short(x.example.path, 100)} (${x.example.mutation}) → ${short(x.example.answer ?? '', 160)}`);
  }
  out.push(r.ok ? 'PASS: no answer ≥ 500 and every process up' : 'FAIL');
  return out.join('\n');
}

/** A one-line progress display on `stream`: redrawn on a terminal, a line every 5 s otherwise. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr, label = 'fuzz'): { update: (p: FuzzProgress) => void; end: () => void } {
  let lastPrinted = 0;
  let drawn = false;
  return {
    update(p) {
      const now = Date.now();
      if (!stream.isTTY && now - lastPrinted < 5000 && p.done < p.total) return;
      lastPrinted = now;
      const rate = p.seconds > 0 ? p.done / p.seconds : 0;
      const eta = rate > 0 ? Math.ceil((p.total - p.done) / rate) : undefined;
      const width = 24;
      const filled = Math.round((p.done / Math.max(p.total, 1)) * width);
      const classes = Object.entries(p.byClass)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k} ${v}`)
        .join(' ');
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${fmt(p.done)}/${fmt(p.total)} ${Math.round(rate)} req/s ${p.done >= p.total ? `done in ${p.seconds.toFixed(1)} s` : `ETA ${eta ?? '?'} s`} | ${classes}${p.crashes ? ` | down ${p.crashes}×` : ''}${p.paused ? ' | paused: restarting' : ''}`;
      stream.write(stream.isTTY ? `\r${line.padEnd(120).slice(0, Math.max(120, line.length))}` : `${line}\n`);
      drawn = true;
    },
    end() {
      if (drawn && stream.isTTY) stream.write('\n');
    },
  };
}

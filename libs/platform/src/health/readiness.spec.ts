import { ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult } from '@nestjs/terminus';
import { SharedReadiness } from './readiness';

const up: HealthCheckResult = { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } };
const down: HealthCheckResult = { status: 'error', info: {}, error: { database: { status: 'down' } }, details: { database: { status: 'down' } } };

function reply() {
  const r = { code: 200, status: (code: number) => (r.code = code) };
  return r;
}

describe('SharedReadiness', () => {
  it('runs one check for every request that arrives while it runs or within the window, and a new one after', async () => {
    let now = 1_000;
    let calls = 0;
    let release!: () => void;
    const check = () => {
      calls++;
      return new Promise<HealthCheckResult>((resolve) => (release = () => resolve(up)));
    };
    const shared = new SharedReadiness(check, 1000, () => now);
    const first = [reply(), reply(), reply()];
    const answers = first.map((r) => shared.answer(r));
    expect(calls).toBe(1);
    release();
    expect(await Promise.all(answers)).toEqual([up, up, up]);
    expect(first.map((r) => r.code)).toEqual([200, 200, 200]);
    now += 999;
    await shared.answer(reply());
    expect(calls).toBe(1);
    now += 1;
    const later = shared.answer(reply());
    expect(calls).toBe(2);
    release();
    expect(await later).toEqual(up);
  });

  it('shares a failed check as 503 with its body, and checks again after the window', async () => {
    let now = 0;
    let healthy = false;
    const check = async () => {
      if (!healthy) throw new ServiceUnavailableException(down);
      return up;
    };
    const shared = new SharedReadiness(check, 1000, () => now);
    const [a, b] = [reply(), reply()];
    expect(await Promise.all([shared.answer(a), shared.answer(b)])).toEqual([down, down]);
    expect([a.code, b.code]).toEqual([503, 503]);
    healthy = true;
    const c = reply();
    expect(await shared.answer(c)).toEqual(down);
    expect(c.code).toBe(503);
    now = 1000;
    const d = reply();
    expect(await shared.answer(d)).toEqual(up);
    expect(d.code).toBe(200);
  });

  it('passes on an error that is not a health result to every request that shared it', async () => {
    const shared = new SharedReadiness(() => Promise.reject(new Error('boom')), 1000, () => 0);
    await expect(Promise.all([shared.answer(reply()), shared.answer(reply())])).rejects.toThrow('boom');
  });
});

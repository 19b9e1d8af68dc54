import { ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult } from '@nestjs/terminus';

/**
 * Terminus throws when a check is down; health routes answer that result as a plain 503 body
 * (what load balancers and compose healthchecks expect), not as a problem document.
 */
export async function asHealthResponse(
  check: () => Promise<HealthCheckResult>,
  reply: { status(code: number): unknown },
): Promise<unknown> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof ServiceUnavailableException) {
      reply.status(503);
      return error.getResponse();
    }
    throw error;
  }
}

/** How long one readiness answer is shared: probes and monitors may ask often, and a check asks every dependency. */
export const READINESS_SHARED_MS = 1000;

/**
 * One readiness check at a time, its answer (200 or 503 and the body) shared by every request
 * that arrives while it runs or within `maxAgeMs` of its start: a monitor polling hard, or many
 * of them, costs the dependencies one check a second, and never queues checks behind each other.
 */
export class SharedReadiness {
  private current?: { at: number; answer: Promise<{ status: number; body: unknown }> };

  constructor(
    private readonly check: () => Promise<HealthCheckResult>,
    private readonly maxAgeMs = READINESS_SHARED_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async answer(reply: { status(code: number): unknown }): Promise<unknown> {
    const at = this.now();
    if (!this.current || at - this.current.at >= this.maxAgeMs) this.current = { at, answer: this.run() };
    const { status, body } = await this.current.answer;
    if (status !== 200) reply.status(status);
    return body;
  }

  private async run(): Promise<{ status: number; body: unknown }> {
    let status = 200;
    const body = await asHealthResponse(this.check, { status: (code: number) => (status = code) });
    return { status, body };
  }
}

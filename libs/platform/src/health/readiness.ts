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

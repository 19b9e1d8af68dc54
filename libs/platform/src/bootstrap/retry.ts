export interface RetryLogger {
  warn(message: string): void;
}

export class FatalStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FatalStartupError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, waiting 0.5 s, 1 s, 2 s … (at most `maxDelayMs`) between tries
 * and logging each failure. A FatalStartupError (e.g. wrong password) is not retried.
 */
export async function backoff<T>(
  what: string,
  attempt: () => Promise<T>,
  logger: RetryLogger,
  { initialDelayMs = 500, maxDelayMs = 10000, maxAttempts = Infinity } = {},
): Promise<T> {
  let delay = initialDelayMs;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof FatalStartupError || tries >= maxAttempts) throw error;
      const reason = error instanceof Error ? error.message || error.name : String(error);
      logger.warn(`${what} is not available (${reason}); retrying in ${Math.round(delay / 100) / 10} s`);
      await sleep(delay);
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }
}

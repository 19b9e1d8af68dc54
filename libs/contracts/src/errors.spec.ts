import { ERROR_TABLE, errorSpec } from './errors';

describe('error table', () => {
  it('uses SERVICE.REASON codes, real HTTP error statuses and both languages', () => {
    for (const [code, spec] of Object.entries(ERROR_TABLE)) {
      expect(code).toMatch(/^(COMMON|IDENTITY|PERMITS|COMPLAINTS|REPORTING|NOTIFICATIONS|AUDIT)\.[A-Z][A-Z_]*$/);
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(spec.status).toBeLessThan(600);
      expect(spec.title.id.length).toBeGreaterThan(0);
      expect(spec.title.en.length).toBeGreaterThan(0);
      expect(spec.title.id).not.toBe(spec.title.en);
    }
  });

  it('treats an unknown code as an internal error', () => {
    expect(errorSpec('NOPE.NOTHING').status).toBe(500);
    expect(errorSpec('COMMON.SERVICE_UNAVAILABLE').status).toBe(503);
  });
});

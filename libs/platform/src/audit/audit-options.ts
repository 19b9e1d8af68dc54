export const AUDIT_SERVICE = Symbol('AUDIT_SERVICE');
export const AUDIT_OPTIONS = Symbol('AUDIT_OPTIONS');

export interface AuditOptions {
  /** false only to measure what the trail costs (bench/audit.js); refused in production. */
  enabled: boolean;
  /** Rows read per query while verifying. */
  verifyBatchSize: number;
  /** How often the chainer looks for committed rows to chain (ms). */
  chainIntervalMs: number;
  /** Rows chained per transaction. */
  chainBatchSize: number;
}

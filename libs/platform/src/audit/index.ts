export * from './canonical';
export * from './redact';
export * from './audit-context';
export * from './audit-trail';
export * from './read-audit-batcher';
export * from './audit.module';
export * from './audit-tables.migration';
export * from './audit-chainer';

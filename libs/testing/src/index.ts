export * from './ids';
export * from './env';
export * from './process';
export * from './rpc';
export * from './nik';
export * from './in-process';
export * from './tcp-proxy';
export * from './files';

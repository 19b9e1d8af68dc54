import pino from 'pino';
import { Writable } from 'stream';
import { baseLoggerOptions } from './logging';

describe('log redaction', () => {
  it('never writes passwords, tokens, NIKs or authorization headers', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino(baseLoggerOptions('identity', 'info'), sink);
    logger.info({ nik: '1223015705900001', password: 'hunter2-hunter2', body: { nik: '1223015705900002', refreshToken: 'r-tok' } }, 'login');
    logger.info({ req: { headers: { authorization: 'Bearer abc.def.ghi' } } }, 'request');
    const out = lines.join('');
    for (const secret of ['1223015705900001', '1223015705900002', 'hunter2', 'r-tok', 'abc.def.ghi']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
    expect(JSON.parse(lines[0])).toMatchObject({ service: 'identity', level: 'info', msg: 'login' });
  });
});

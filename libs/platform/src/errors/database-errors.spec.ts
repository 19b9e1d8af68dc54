import { databaseErrorToDomain } from './database-errors';

const pgError = (code: string, withDriver = true) => {
  const driverError = Object.assign(new Error(`pg ${code}`), { code });
  return withDriver ? Object.assign(new Error(`query failed: ${code}`), { driverError }) : driverError;
};

describe('databaseErrorToDomain', () => {
  it('answers a deadlock or a serialization failure as a 503 to retry in a second, from TypeORM or from pg itself', () => {
    for (const code of ['40P01', '40001']) {
      for (const withDriver of [true, false]) {
        const mapped = databaseErrorToDomain(pgError(code, withDriver));
        expect([mapped?.code, mapped?.retryAfter]).toEqual(['COMMON.SERVICE_UNAVAILABLE', 1]);
      }
    }
  });

  it('keeps the other classes as they were: unreachable 503, data 400, conflicts 409, the rest internal', () => {
    expect(databaseErrorToDomain(pgError('57P01'))?.code).toBe('COMMON.SERVICE_UNAVAILABLE');
    expect(databaseErrorToDomain(pgError('22P02'))?.code).toBe('COMMON.VALIDATION');
    expect(databaseErrorToDomain(pgError('23505'))?.code).toBe('COMMON.CONFLICT');
    expect(databaseErrorToDomain(pgError('42P01'))).toBeNull();
  });
});

import { BadRequestException, NotFoundException } from '@nestjs/common';
import { DomainError } from '@smart-regency/platform';
import { toProblem } from './problem.filter';
import { languageOf } from './language';

describe('problem details', () => {
  it('maps a domain error through the one table, with localised field messages', () => {
    const error = new DomainError('COMMON.VALIDATION', 'Validation failed', [
      { field: 'pageSize', message: 'pageSize must not be greater than 100', rule: 'max' },
      { field: 'x', message: 'custom rule said no', rule: 'someCustomRule' },
    ]);
    const id = toProblem(error, 'r1', 'id');
    expect(id).toEqual({
      type: 'urn:smart-regency:error:COMMON.VALIDATION',
      title: 'Data yang dikirim tidak valid',
      status: 400,
      detail: '2 isian tidak valid',
      code: 'COMMON.VALIDATION',
      errors: [
        { field: 'pageSize', message: 'pageSize terlalu besar' },
        { field: 'x', message: 'custom rule said no' },
      ],
      requestId: 'r1',
    });
    expect(toProblem(error, 'r1', 'en').errors![0].message).toBe('pageSize must not be greater than 100');
  });

  it('answers a stopped service with 503 in words of its own, never the message that names the subject', () => {
    for (const code of ['COMMON.SERVICE_UNAVAILABLE', 'COMMON.TIMEOUT'] as const) {
      const problem = toProblem(new DomainError(code, 'no service answers permits.permitType.list'), 'r', 'en');
      expect(problem).toMatchObject({ status: 503, code });
      expect(problem.detail).toBe(problem.title);
    }
  });

  it('maps errors Fastify raises before a route runs', () => {
    const fastify = (statusCode: number, code: string) => Object.assign(new Error(code), { statusCode, code });
    expect(toProblem(fastify(413, 'FST_ERR_CTP_BODY_TOO_LARGE'), 'r', 'en')).toMatchObject({ status: 413, code: 'COMMON.PAYLOAD_TOO_LARGE' });
    expect(toProblem(fastify(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE'), 'r', 'en')).toMatchObject({ status: 415, code: 'COMMON.UNSUPPORTED_MEDIA_TYPE' });
    expect(toProblem(fastify(400, 'FST_ERR_CTP_INVALID_JSON_BODY'), 'r', 'en')).toMatchObject({ status: 400, code: 'COMMON.MALFORMED_BODY' });
    expect(toProblem(new NotFoundException('Cannot GET /x'), 'r', 'id')).toMatchObject({ status: 404, code: 'COMMON.ROUTE_NOT_FOUND' });
    expect(toProblem(new BadRequestException('Validation failed (uuid is expected)'), 'r', 'en')).toMatchObject({ status: 400, code: 'COMMON.VALIDATION' });
    expect(toProblem(new BadRequestException('Unexpected end of JSON input'), 'r', 'en')).toMatchObject({ status: 400, code: 'COMMON.MALFORMED_BODY' });
  });

  it('never leaks an unknown error', () => {
    const problem = toProblem(new Error('password authentication failed for user x at /srv/app.js:10'), 'req-9', 'en');
    expect(problem).toEqual({
      type: 'urn:smart-regency:error:COMMON.INTERNAL',
      title: 'Internal server error',
      status: 500,
      detail: 'Internal server error',
      code: 'COMMON.INTERNAL',
      requestId: 'req-9',
    });
  });
});

describe('Accept-Language', () => {
  it.each([
    [undefined, 'id'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['id-ID,id;q=0.9,en;q=0.8', 'id'],
    ['fr, en;q=0.5', 'en'],
    ['en;q=0.2, id;q=0.8', 'id'],
    ['de', 'id'],
  ])('%s -> %s', (header, lang) => {
    expect(languageOf(header)).toBe(lang);
  });
});

import { validateHeaderValue } from 'http';
import { MUTATIONS, Schedule } from './catalogue';
import { open311Operations, operationsFromOpenApi, poolKey } from './operations';
import { Rng } from './random';
import { percentEncode } from './request';
import { FuzzRun } from './runner';

/** A small document with what the gateway's has: path ids, queries, nested JSON bodies, file uploads, no auth. */
const DOC = {
  paths: {
    '/api/v1/things': {
      get: {
        parameters: [
          { name: 'page', in: 'query', schema: { type: 'number', minimum: 1 } },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
        ],
        security: [{ bearer: [] }],
      },
      post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateThing' } } } }, security: [{ bearer: [] }] },
    },
    '/api/v1/things/{id}': {
      patch: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateThing' } } } }, security: [{ bearer: [] }] },
    },
    '/api/v1/things/{id}/files/{code}': {
      put: {
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'code', in: 'path', required: true, schema: { type: 'string' } },
        ],
        requestBody: { content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } }, 'image/png': { schema: { type: 'string', format: 'binary' } } } },
        security: [{ bearer: [] }],
      },
    },
    '/api/v1/public/calendar/{year}': { get: { parameters: [{ name: 'year', in: 'path', required: true, schema: { type: 'number' } }] } },
  },
  components: {
    schemas: {
      CreateThing: {
        type: 'object',
        required: ['name', 'location'],
        properties: {
          name: { type: 'string', minLength: 2, maxLength: 80 },
          count: { type: 'number', minimum: 1, maximum: 5 },
          when: { type: 'string', format: 'date' },
          tags: { type: 'array', items: { type: 'string' } },
          location: { $ref: '#/components/schemas/Location' },
        },
      },
      Location: { type: 'object', required: ['lat', 'lng'], properties: { lat: { type: 'number' }, lng: { type: 'number' } } },
    },
  },
};

function target() {
  const { operations, schemas } = operationsFromOpenApi(DOC);
  return {
    baseUrl: 'http://127.0.0.1:9',
    operations: [...operations, ...open311Operations()],
    schemas,
    pools: { 'things.id': ['3f1c2a9e-5b6d-4c7e-8f90-a1b2c3d4e5f6'], 'field.api_key': ['k'.repeat(40)] },
    bearer: { admin: 'Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhIiwicm9sZXMiOlsiYWRtaW4iXX0.c2lnbmF0dXJl', citizen: 'Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJiIn0.c2ln' },
  };
}

describe('fuzz', () => {
  it('reads operations, parameters, bodies and auth from an OpenAPI document, plus both formats of every Open311 route', () => {
    const { operations } = operationsFromOpenApi(DOC);
    expect(operations.map((o) => o.id)).toEqual([
      'GET /api/v1/things',
      'POST /api/v1/things',
      'PATCH /api/v1/things/{id}',
      'PUT /api/v1/things/{id}/files/{code}',
      'GET /api/v1/public/calendar/{year}',
    ]);
    expect(operations[1].body?.contentTypes).toEqual(['application/json']);
    expect(operations[4].auth).toBe('none');
    const open311 = open311Operations().map((o) => o.id);
    expect(open311).toContain('POST /open311/v2/requests.xml');
    expect(open311).toContain('GET /open311/v2/tokens/{token}.json');
    expect(open311).toHaveLength(14);
  });

  it('names the pool of a path parameter after the segment before it', () => {
    expect(poolKey('/api/v1/complaints/{id}/attachments/{attachmentId}', 'id')).toBe('complaints.id');
    expect(poolKey('/api/v1/complaints/{id}/attachments/{attachmentId}', 'attachmentId')).toBe('attachments.attachmentId');
    expect(poolKey('/open311/v2/requests/{service_request_id}.json', 'service_request_id')).toBe('requests.service_request_id');
  });

  it('sends every applicable (operation, mutation) pair within its full-coverage count, and every operation in each round', () => {
    const { operations } = target();
    const schedule = new Schedule(operations, 7);
    const seen = new Set<string>();
    for (let i = 0; i < schedule.fullCoverage; i++) {
      const { op, mutation } = schedule.at(i);
      seen.add(`${op.id} ${mutation.name}`);
    }
    const expected = operations.flatMap((op) => MUTATIONS.filter((m) => m.applies(op)).map((m) => `${op.id} ${m.name}`));
    expect([...seen].sort()).toEqual(expected.sort());
    const firstRound = new Set(Array.from({ length: operations.length }, (_, i) => schedule.at(i).op.id));
    expect(firstRound.size).toBe(operations.length);
  });

  it('builds request N the same way whatever was built before it', () => {
    const a = new FuzzRun(target(), { seed: 99, count: 1 });
    const b = new FuzzRun(target(), { seed: 99, count: 1 });
    const forward = [0, 1, 2, 150, 151, 700].map((i) => a.build(i).wire);
    const backward = [700, 151, 150, 2, 1, 0].map((i) => b.build(i).wire).reverse();
    expect(backward).toEqual(forward);
    expect(new FuzzRun(target(), { seed: 100, count: 1 }).build(150).wire).not.toEqual(forward[3]);
  });

  it('puts only what node can send on the wire, and keeps JSON bodies under the 1 MiB limit', () => {
    const run = new FuzzRun(target(), { seed: 5, count: 1 });
    const mutations = new Set<string>();
    for (let i = 0; i < 1500; i++) {
      const { wire, example } = run.build(i);
      mutations.add(example.mutation);
      expect(wire.path).not.toMatch(/[^\u0021-\u00ff]/);
      for (const [name, value] of Object.entries(wire.headers)) expect(() => validateHeaderValue(name, value)).not.toThrow();
      if (example.mutation !== 'file:over-limit') expect(wire.body?.length ?? 0).toBeLessThan(1024 * 1024);
    }
    expect(mutations.size).toBe(MUTATIONS.length);
  });

  it('writes raw JSON the serializer cannot: 50,000 levels deep, big number literals', () => {
    const run = new FuzzRun(target(), { seed: 1, count: 1 });
    let deep: string | undefined;
    const huge: string[] = [];
    for (let i = 0; i < 20_000 && (!deep || huge.length < 30); i++) {
      const { op, mutation } = new Schedule(target().operations, 1).at(i);
      if (op.method === 'GET' || !/deep-nesting|huge-number/.test(mutation.name)) continue;
      const { wire, example } = run.build(i);
      if (example.mutation === 'body:deep-nesting' && example.variant.includes('50000')) deep = wire.body!.toString();
      if (example.mutation === 'body:huge-number') huge.push(wire.body!.toString());
    }
    expect(Math.max(deep!.split('{"a":').length - 1, deep!.split('[').length - 1)).toBeGreaterThanOrEqual(50_000);
    expect(huge.some((t) => /:1e30[89]\b|:-0\b|:9007199254740993\b/.test(t))).toBe(true);
  });

  it('percent-encodes lone surrogates as the bytes WTF-8 gives them, and pairs as UTF-8', () => {
    expect(percentEncode('\ud800')).toBe('%ED%A0%80');
    expect(percentEncode('a b/😀')).toBe('a%20b%2F%F0%9F%98%80');
    expect(percentEncode('\u0000')).toBe('%00');
  });

  it('draws the same numbers from the same seed and index', () => {
    const draw = (r: Rng) => [r.next(), r.int(1, 10), r.uuid()];
    expect(draw(Rng.of(3, 4))).toEqual(draw(Rng.of(3, 4)));
    expect(draw(Rng.of(3, 4))).not.toEqual(draw(Rng.of(3, 5)));
  });
});

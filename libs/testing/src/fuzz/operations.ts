/** The part of JSON Schema (as OpenAPI 3.1 and @nestjs/swagger write it) the fuzzer reads. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

export interface FuzzParam {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

/** How a request proves who it is: a bearer token, nothing, or Open311's `api_key` field. */
export type AuthKind = 'bearer' | 'none' | 'api_key';

/** One route and method, with what a valid request carries. */
export interface FuzzOperation {
  /** `METHOD /path/{param}`: how findings are grouped. */
  id: string;
  method: string;
  /** Path template; `{name}` may be a whole segment or part of one (`{id}.json`). */
  path: string;
  params: FuzzParam[];
  body?: { contentTypes: string[]; schema: JsonSchema; required: boolean };
  auth: AuthKind;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface OpenApiOperation {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** Resolves `$ref`s (and merges `allOf`) against a document's components. */
export class Schemas {
  constructor(private readonly components: Record<string, JsonSchema> = {}) {}

  resolve(schema: JsonSchema | undefined, depth = 0): JsonSchema {
    if (!schema) return {};
    if (depth > 20) return {};
    if (schema.$ref) {
      const name = schema.$ref.replace(/^#\/components\/schemas\//, '');
      return this.resolve(this.components[name], depth + 1);
    }
    if (schema.allOf?.length) {
      const parts = schema.allOf.map((s) => this.resolve(s, depth + 1));
      return {
        ...Object.assign({}, ...parts),
        properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
        required: parts.flatMap((p) => p.required ?? []),
      };
    }
    return schema;
  }
}

/** Every operation of an OpenAPI 3 document, plus the resolver of its schemas. */
export function operationsFromOpenApi(doc: OpenApiDocument): { operations: FuzzOperation[]; schemas: Schemas } {
  const schemas = new Schemas(doc.components?.schemas);
  const operations: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params: FuzzParam[] = (op.parameters ?? [])
        .filter((p) => p.in === 'path' || p.in === 'query' || p.in === 'header')
        .map((p) => ({ name: p.name, in: p.in as FuzzParam['in'], required: !!p.required || p.in === 'path', schema: schemas.resolve(p.schema) }));
      const content = op.requestBody?.content;
      const contentTypes = content ? Object.keys(content) : [];
      operations.push({
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        params,
        ...(content && contentTypes.length ? { body: { contentTypes, schema: content[contentTypes[0]].schema ?? {}, required: op.requestBody?.required !== false } } : {}),
        auth: op.security?.length ? 'bearer' : 'none',
      });
    }
  }
  return { operations, schemas };
}

const str = (extra: JsonSchema = {}): JsonSchema => ({ type: 'string', ...extra });

/**
 * Open311 GeoReport v2 (services/gateway/src/open311): not in the OpenAPI document, so listed by
 * hand, each resource in both formats.
 */
export function open311Operations(): FuzzOperation[] {
  const ops: FuzzOperation[] = [];
  const add = (method: string, path: string, params: FuzzParam[] = [], body?: FuzzOperation['body'], auth: AuthKind = 'none') => {
    for (const format of ['json', 'xml']) {
      const p = `/open311/v2/${path}.${format}`;
      ops.push({ id: `${method} ${p}`, method, path: p, params, ...(body ? { body } : {}), auth });
    }
  };
  const q = (name: string, schema: JsonSchema): FuzzParam => ({ name, in: 'query', required: false, schema });
  const p = (name: string): FuzzParam => ({ name, in: 'path', required: true, schema: str() });
  add('GET', 'discovery');
  add('GET', 'services');
  add('GET', 'services/{service_code}', [p('service_code')]);
  add('GET', 'requests', [
    q('service_request_id', str()),
    q('service_code', str()),
    q('start_date', str({ format: 'date-time' })),
    q('end_date', str({ format: 'date-time' })),
    q('status', str({ enum: ['open', 'closed', 'open,closed'] })),
  ]);
  add(
    'POST',
    'requests',
    [],
    {
      contentTypes: ['application/x-www-form-urlencoded', 'application/json'],
      required: true,
      schema: {
        type: 'object',
        required: ['api_key', 'service_code', 'description'],
        properties: {
          api_key: str(),
          service_code: str(),
          lat: str({ format: 'latitude' }),
          long: str({ format: 'longitude' }),
          address_string: str({ minLength: 5, maxLength: 300, example: 'Jl. Jenderal Sudirman No. 1, Aek Kanopan' }),
          address_id: str(),
          email: str({ format: 'email' }),
          device_id: str(),
          account_id: str(),
          first_name: str(),
          last_name: str(),
          phone: str({ example: '081234567890' }),
          description: str({ minLength: 10, maxLength: 4000, example: 'Jembatan kayu di km 5 patah sebagian.' }),
          media_url: str({ format: 'uri' }),
        },
      },
    },
    'api_key',
  );
  add('GET', 'requests/{service_request_id}', [p('service_request_id')]);
  add('GET', 'tokens/{token}', [p('token')]);
  return ops;
}

/** The name a path parameter's pool has: the literal segment before it and its name (`complaints.id`). */
export function poolKey(path: string, param: string): string {
  const segments = path.split('/').filter(Boolean);
  const at = segments.findIndex((s) => s.includes(`{${param}}`));
  const before = segments
    .slice(0, Math.max(0, at))
    .reverse()
    .find((s) => !s.includes('{'));
  return `${before ?? ''}.${param}`;
}

import { randomBytes } from 'crypto';
import { TEST_PDF, TEST_PNG } from '../files';
import { makeNik } from '../nik';
import { Agent } from 'http';
import { send } from './http';
import { FuzzOperation, open311Operations, operationsFromOpenApi, Schemas } from './operations';
import { mix, Rng } from './random';
import { toWire, validDraft } from './request';
import { FuzzTarget } from './runner';

export interface FuzzSetupOptions {
  baseUrl: string;
  admin: { email: string; password: string };
  /** Log what is being created (setup takes a few seconds). */
  log?: (line: string) => void;
}

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** What setup made, for the run and for `renew()`. */
export interface PreparedTarget extends FuzzTarget {
  /** Signs every actor in again (access tokens live 15 minutes; long runs renew them). */
  renew(): Promise<void>;
}

/**
 * Reads the gateway's OpenAPI document and builds what a fuzz pass needs from the API alone, as a
 * front end would: actors of each role signed in (admin, officer, agency head, auditor, citizen), an
 * Open311 api_key, and records to aim at (complaints with an attachment, a permit application with
 * documents), plus decoy users that the admin's fuzzed requests may disable without harm.
 */
export async function prepareTarget({ baseUrl, admin, log = () => undefined }: FuzzSetupOptions): Promise<PreparedTarget> {
  const call = async (method: string, path: string, { body, bearer, type, expect }: { body?: unknown; bearer?: string; type?: string; expect?: number[] } = {}): Promise<Answer> => {
    const raw = Buffer.isBuffer(body);
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': type ?? 'application/json' } : {}),
        ...(bearer ? { authorization: bearer } : {}),
      },
      body: body === undefined ? undefined : raw ? new Uint8Array(body as Buffer) : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    if (expect && !expect.includes(res.status)) throw new Error(`fuzz setup: ${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return { status: res.status, body: parsed };
  };
  const login = async (identifier: string, password: string) =>
    `Bearer ${(await call('POST', '/api/v1/auth/login', { body: { identifier, password }, expect: [200] })).body.accessToken}`;

  const doc = (await call('GET', '/docs/openapi.json', { expect: [200] })).body;
  const { operations, schemas } = operationsFromOpenApi(doc);
  const all: FuzzOperation[] = [...operations, ...open311Operations()];
  log(`${operations.length} operations in /docs/openapi.json, ${all.length - operations.length} Open311 routes`);

  const tag = randomBytes(3).toString('hex');
  const passwords: Record<string, [string, string]> = { admin: [admin.email, admin.password] };
  const bearer: Record<string, string> = { admin: await login(admin.email, admin.password) };
  const list = async (path: string) => (await call('GET', `${path}${path.includes('?') ? '&' : '?'}pageSize=100`, { bearer: bearer.admin, expect: [200] })).body.items as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const agencies = await list('/api/v1/agencies');
  const categories = await list('/api/v1/complaint-categories');
  const permitTypes = await list('/api/v1/permit-types');
  const category = categories.find((c) => c.active !== false) ?? categories[0];
  const agencyId = category?.agencyId ?? agencies[0]?.id;

  const staff = async (name: string, roles: string[]) => {
    const email = `fuzz-${tag}-${name.replace(/_/g, '-')}@pemda.labura.go.id`;
    const password = `Fuzz-Sandi-${tag}-${name}`;
    const needsAgency = roles.some((r) => r === 'officer' || r === 'agency_head');
    const res = await call('POST', '/api/v1/users', { bearer: bearer.admin, body: { email, fullName: `Fuzz ${name}`, roles, ...(needsAgency ? { agencyId } : {}), password }, expect: [201] });
    passwords[name] = [email, password];
    return res.body.id as string;
  };
  const citizen = async (name: string) => {
    for (let attempt = 0; ; attempt++) {
      const email = `fuzz-${tag}-${name}@example.id`;
      const password = `Fuzz-Sandi-${tag}-${name}`;
      const body = { nik: makeNik({ sequence: 1 + (randomBytes(2).readUInt16BE() % 9999) }), fullName: `Warga Fuzz ${name}`, email, phone: `0812${String(randomBytes(4).readUInt32BE() % 1e8).padStart(8, '0')}`, password };
      const res = await call('POST', '/api/v1/auth/register', { body });
      if (res.status === 201) {
        passwords[name] = [email, password];
        return res.body.id as string;
      }
      if (res.status !== 409 || attempt > 5) throw new Error(`fuzz setup: register answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    }
  };
  const ids = {
    officer: await staff('officer', ['officer']),
    agency_head: await staff('agency_head', ['agency_head']),
    auditor: await staff('auditor', ['auditor']),
    citizen: await citizen('citizen'),
    decoyStaff: await staff('decoy-staff', ['officer']),
    decoyCitizen: await citizen('decoy-citizen'),
  };
  // Decoys are never signed in: the admin's fuzzed requests may disable them without harm.
  delete passwords['decoy-staff'];
  delete passwords['decoy-citizen'];
  for (const name of ['officer', 'agency_head', 'auditor', 'citizen']) bearer[name] = await login(...passwords[name]);
  log(`signed in: ${Object.keys(bearer).join(', ')}`);

  const apiKey = (await call('POST', '/api/v1/service-accounts', { bearer: bearer.admin, body: { name: `fuzz ${tag}`, scopes: ['open311:write'] }, expect: [201] })).body.clientSecret as string;

  const complaints: Array<{ id: string; trackingNumber: string }> = [];
  for (const visibility of ['public', 'anonymous', 'confidential']) {
    const res = await call('POST', '/api/v1/complaints', {
      bearer: bearer.citizen,
      body: { categoryCode: category.code, title: 'Jalan berlubang di depan sekolah', description: 'Lubang besar di jalan depan SD Negeri 1 sejak sebulan.', location: { lat: 2.578, lng: 99.618, address: 'Jl. Pasar No. 3' }, visibility },
      expect: [201],
    });
    complaints.push(res.body);
  }
  const attachment = await call('POST', `/api/v1/complaints/${complaints[0].id}/attachments?fileName=lubang.png`, { bearer: bearer.citizen, body: TEST_PNG, type: 'image/png', expect: [201] });

  const applications: string[] = [];
  const documentCodes = new Set<string>();
  const type = permitTypes.find((t) => t.active !== false && t.code === 'REKLAME') ?? permitTypes.find((t) => t.active !== false);
  if (type) {
    const formData: Record<string, unknown> = {};
    for (const field of type.formFields ?? []) formData[field.code] = field.type === 'number' ? 3 : field.type === 'boolean' ? true : field.type === 'date' ? '2026-11-01' : field.type === 'select' ? field.options?.[0] : 'Fuzz';
    const draft = await call('POST', '/api/v1/permit-applications', { bearer: bearer.citizen, body: { permitTypeCode: type.code, formData }, expect: [201] });
    applications.push(draft.body.id);
    for (const d of type.requiredDocuments ?? []) {
      documentCodes.add(d.code);
      await call('PUT', `/api/v1/permit-applications/${draft.body.id}/documents/${d.code}`, { bearer: bearer.citizen, body: TEST_PDF, type: 'application/pdf', expect: [200] });
    }
  }
  log(`records: ${complaints.length} complaints, 1 attachment, ${applications.length} permit application(s)`);

  const agencyIds = agencies.map((a) => a.id as string);
  const categoryCodes = categories.map((c) => c.code as string);
  const typeCodes = permitTypes.map((t) => t.code as string);
  const tracking = complaints.map((c) => c.trackingNumber);
  const complaintIds = complaints.map((c) => c.id);
  const userIds = [ids.decoyStaff, ids.decoyCitizen];
  const pools: Record<string, string[]> = {
    'agencies.id': agencyIds,
    'users.id': userIds,
    'calendar.year': ['2025', '2026', '2027'],
    'permit-applications.id': applications,
    'documents.documentCode': [...documentCodes],
    'complaints.id': complaintIds,
    'attachments.attachmentId': [attachment.body.id],
    'complaints.trackingNumber': tracking,
    'permit-types.code': typeCodes,
    'complaint-categories.code': categoryCodes,
    'services.service_code': categoryCodes,
    'requests.service_request_id': tracking,
    'tokens.token': tracking,
    'field.agencyId': agencyIds,
    'field.categoryCode': categoryCodes,
    'field.categoryCodes': categoryCodes,
    'field.service_code': categoryCodes,
    'field.permitTypeCode': typeCodes,
    'field.api_key': [apiKey],
    'field.trackingNumbers': tracking,
    'field.service_request_id': tracking,
    'field.entityId': complaintIds,
    'field.subjectId': [ids.citizen],
    'field.actorId': [ids.citizen, ids.officer],
  };
  const allowed = await probeActors(baseUrl, all, schemas, pools, bearer);
  log(`probed which actors each of ${Object.keys(allowed).length} signed-in operations lets in`);
  const target: PreparedTarget = {
    baseUrl,
    operations: all,
    schemas,
    pools,
    bearer,
    allowed,
    async renew() {
      for (const [name, [email, password]] of Object.entries(passwords)) {
        const res = await call('POST', '/api/v1/auth/login', { body: { identifier: email, password } });
        if (res.status === 200) bearer[name] = `Bearer ${res.body.accessToken}`;
      }
    },
  };
  return target;
}

/**
 * Sends each signed-in operation's valid request once as every actor, and keeps those not refused
 * with 401 or 403: most fuzzed requests then come from someone the route lets in, and reach the
 * service instead of stopping at the gateway's role check. Where no one gets in (a password the
 * fuzzer does not know), every actor stays. Deterministic: the same requests on every fresh system.
 */
export async function probeActors(baseUrl: string, operations: FuzzOperation[], schemas: Schemas, pools: Record<string, readonly string[]>, bearer: Record<string, string>): Promise<Record<string, string[]>> {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: false });
  const allowed: Record<string, string[]> = {};
  const jobs = operations.flatMap((op, i) => (op.auth === 'bearer' ? Object.keys(bearer).map((actor) => ({ op, i, actor })) : []));
  const results: Array<{ op: string; actor: string; status: number }> = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { op, i, actor } = jobs[next++];
      const draft = validDraft(op, { rng: new Rng(mix(i + 1)), schemas, pools }, { bearer: {} });
      draft.headers.authorization = bearer[actor];
      const answer = await send(base, toWire(draft), agent, 30_000);
      results.push({ op: op.id, actor, status: answer.status });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  agent.destroy();
  for (const op of operations.filter((o) => o.auth === 'bearer')) {
    const inside = Object.keys(bearer).filter((actor) => results.some((r) => r.op === op.id && r.actor === actor && r.status !== 401 && r.status !== 403 && r.status > 0));
    allowed[op.id] = inside.length ? inside : Object.keys(bearer);
  }
  return allowed;
}

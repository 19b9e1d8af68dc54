import { AUDIT_SUBJECTS, REVOCATION_SUBJECT, ServiceName, SERVICES, Subject, SUBJECTS } from '@smart-regency/contracts';
import { nkeys } from 'nats';
import { inboxPrefixOf, prefixed } from './connection';
import { transferBucketName } from './file-transfer';

/**
 * Who may publish and subscribe where on NATS: one user per process, each allowed only what it
 * does. deploy/nats/nats.conf is rendered from this (`npx nx run platform:nats-config`), and the
 * permissions test runs the whole system on a nats-server with it.
 */
export type BusUser = 'gateway' | ServiceName;
export const BUS_USERS: BusUser[] = ['gateway', ...SERVICES];

/** Subjects a service asks of another service, as itself, without a caller (see RpcInternal). */
export const SERVICE_CALLS: Record<ServiceName, Subject[]> = {
  identity: [],
  permits: [SUBJECTS.identity.getCalendar, SUBJECTS.identity.listAgencies, SUBJECTS.identity.holderName],
  complaints: [SUBJECTS.identity.getCalendar],
  reporting: [],
  notifications: [
    SUBJECTS.identity.contacts,
    SUBJECTS.identity.agencyStaff,
    SUBJECTS.permits.notificationContext,
    SUBJECTS.complaints.notificationContext,
    SUBJECTS.complaints.laporReport,
    SUBJECTS.complaints.recordLaporForward,
    SUBJECTS.complaints.recordLaporUpdate,
  ],
};

/** Durable consumers each service keeps on the events stream. */
export const SERVICE_CONSUMERS: Record<ServiceName, string[]> = {
  identity: [],
  permits: ['permits-user-erased', 'permits-calendar', 'permits-certificates', 'permits-agencies'],
  complaints: ['complaints-user-erased', 'complaints-calendar'],
  reporting: ['reporting'],
  notifications: ['notifications'],
};

/** Services that replay the stream through ordered consumers (reporting's rebuild, webhook replays). */
const REPLAYERS = new Set<ServiceName>(['reporting', 'notifications']);

/** Subjects only services call on each other: the gateway never needs them. */
const INTERNAL_ONLY = new Set<string>([SUBJECTS.identity.holderName, ...SERVICE_CALLS.notifications]);

/** Where an install's subjects and streams are (the defaults, or a test run's own). */
export interface BusLayout {
  prefix: string;
  eventsStream: string;
  eventsPrefix: string;
  deadLetterStream: string;
  deadLetterPrefix: string;
}

export const DEFAULT_BUS_LAYOUT: BusLayout = {
  prefix: '',
  eventsStream: 'REGENCY_EVENTS',
  eventsPrefix: 'events',
  deadLetterStream: 'REGENCY_DEADLETTER',
  deadLetterPrefix: 'deadletter',
};

export interface UserPermissions {
  publish: string[];
  /** Exceptions to `publish` (a deny wins over an allow). */
  publishDeny?: string[];
  subscribe: string[];
  /** May answer requests it received (on their reply subjects only). */
  allowResponses: boolean;
}

/** The transfer object store (files and large replies): write, read, delete, nothing else. */
function transferAccess(layout: BusLayout): string[] {
  const bucket = transferBucketName(layout.prefix);
  const stream = `OBJ_${bucket}`;
  return [
    '$JS.API.INFO',
    `$O.${bucket}.>`,
    // Reading an object finds its stream by subject, then replays its chunks with an ordered consumer.
    '$JS.API.STREAM.NAMES',
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.CREATE.${stream}`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.STREAM.PURGE.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.>`,
    `$JS.API.CONSUMER.DELETE.${stream}.>`,
    `$JS.FC.${stream}.>`,
  ];
}

/** Creating and reading (never deleting or purging) the events and dead-letter streams. */
function streamUpkeep(layout: BusLayout): string[] {
  return [...[layout.eventsStream, layout.deadLetterStream].flatMap((s) => [`$JS.API.STREAM.INFO.${s}`, `$JS.API.STREAM.CREATE.${s}`, `$JS.API.STREAM.UPDATE.${s}`])];
}

function consumerAccess(layout: BusLayout, names: string[]): string[] {
  const s = layout.eventsStream;
  return names.flatMap((name) => [
    `$JS.API.CONSUMER.INFO.${s}.${name}`,
    `$JS.API.CONSUMER.CREATE.${s}.${name}`,
    `$JS.API.CONSUMER.CREATE.${s}.${name}.>`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${s}.${name}`,
    `$JS.API.CONSUMER.MSG.NEXT.${s}.${name}`,
    `$JS.ACK.${s}.${name}.>`,
  ]);
}

/**
 * Reporting's rebuild and webhook replays read the stream through an ordered consumer, which pulls
 * under a name the client makes up: they may pull from any consumer of the stream but the other
 * services' own (denied below), so they cannot take their events.
 */
function replayAccess(layout: BusLayout): string[] {
  const s = layout.eventsStream;
  return [`$JS.API.CONSUMER.CREATE.${s}`, `$JS.API.CONSUMER.CREATE.${s}.>`, `$JS.API.CONSUMER.DELETE.${s}.>`, `$JS.API.CONSUMER.INFO.${s}.>`, `$JS.API.CONSUMER.MSG.NEXT.${s}.>`, `$JS.FC.${s}.>`];
}

function othersConsumers(layout: BusLayout, name: ServiceName): string[] {
  return SERVICES.filter((other) => other !== name).flatMap((other) => SERVICE_CONSUMERS[other].map((c) => `$JS.API.CONSUMER.MSG.NEXT.${layout.eventsStream}.${c}`));
}

const allSubjects = (): string[] => [...SERVICES.flatMap((s) => Object.values(SUBJECTS[s]) as string[]), ...Object.values(AUDIT_SUBJECTS).flatMap((a) => Object.values(a))];

export function busPermissions(layout: BusLayout = DEFAULT_BUS_LAYOUT): Record<BusUser, UserPermissions> {
  const p = (subject: string) => prefixed(layout.prefix, subject);
  const inbox = (user: BusUser) => `${inboxPrefixOf(user)}.>`;
  const service = (name: ServiceName): UserPermissions => ({
    publish: [
      ...SERVICE_CALLS[name].map(p),
      ...(name === 'identity' ? [p(REVOCATION_SUBJECT)] : []),
      `${layout.eventsPrefix}.${name}.>`,
      `${layout.deadLetterPrefix}.>`,
      ...streamUpkeep(layout),
      ...consumerAccess(layout, SERVICE_CONSUMERS[name]),
      ...(REPLAYERS.has(name) ? replayAccess(layout) : []),
      ...transferAccess(layout),
    ],
    ...(REPLAYERS.has(name) ? { publishDeny: othersConsumers(layout, name) } : {}),
    subscribe: [p(`${name}.>`), inbox(name)],
    allowResponses: true,
  });
  return {
    gateway: {
      publish: [...allSubjects().filter((s) => !INTERNAL_ONLY.has(s)).map(p), ...transferAccess(layout)],
      subscribe: [p(REVOCATION_SUBJECT), inbox('gateway')],
      allowResponses: false,
    },
    identity: service('identity'),
    permits: service('permits'),
    complaints: service('complaints'),
    reporting: service('reporting'),
    notifications: service('notifications'),
  };
}

/** A durable consumer the regency keeps on the events stream for an integrator (deploy/nats/integrators.json). */
export interface IntegratorConsumer {
  /** The durable's name on the stream. */
  name: string;
  /** The events it reads (`events.>`, or a part such as `events.permits.>`), chosen by the regency. */
  filter: string;
}

/** Someone outside who reads the events stream, in a NATS account of its own, through durables the regency made for it. */
export interface Integrator {
  name: string;
  /** Its NKEY public key (`U…`); the seed never leaves the integrator. */
  nkey: string;
  consumers: IntegratorConsumer[];
  createdAt: string;
  /**
   * Set by `remove`: the integrator has no account any more, but the entry stays so that `sync`
   * (as the ops user, allowed only registered durables) can delete its durables; `forget` drops it.
   */
  removedAt?: string;
}

/** What a durable reads unless the regency says otherwise. */
export const DEFAULT_INTEGRATOR_FILTER = 'events.>';

/**
 * Where an integrator's client finds the regency's JetStream API in its own account (nats.js
 * `jetstream({ apiPrefix })`). Not `$JS.API`: in an account without JetStream the server answers
 * that prefix itself ("JetStream not enabled for account") before any import can.
 */
export const INTEGRATOR_API_PREFIX = 'REGENCY.API';

/** The operator's NATS user: creates and deletes the integrators' durables (`npm run nats:integrator -- sync`). */
export const OPS_USER = 'ops';

/** Every password user of the REGENCY account: the processes and the operator. */
export type NatsUser = BusUser | typeof OPS_USER;
export const NATS_USERS: NatsUser[] = [...BUS_USERS, OPS_USER];

/** The integrator's NATS account: nothing it publishes reaches REGENCY but through the imports of its durables. */
export function integratorAccountOf(name: string): string {
  return `INTEGRATOR_${name.toUpperCase().replace(/-/g, '_')}`;
}

// A single NATS subject token, and a JetStream consumer name: no dots, wildcards or spaces.
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
// Taken by processes (inboxes) whatever the version: notifications is on its way.
const RESERVED_PROCESS_NAMES = ['notifications'];

/** Names an integrator or its consumers may not take: the NATS users (inboxes) and the services' durables. */
export function reservedIntegratorNames(): Set<string> {
  return new Set([...NATS_USERS, ...RESERVED_PROCESS_NAMES, ...SERVICES.flatMap((s) => SERVICE_CONSUMERS[s])].map((n) => n.toLowerCase()));
}

/** Whether `filter` is a NATS subject or pattern: tokens of visible characters, `*` a whole token, `>` the whole last one. */
export function isSubjectFilter(filter: string): boolean {
  if (filter.length === 0 || filter.length > 255 || /\s/.test(filter)) return false;
  const tokens = filter.split('.');
  return tokens.every((t, i) => t !== '' && (!/[*>]/.test(t) || t === '*' || (t === '>' && i === tokens.length - 1)));
}

/** What is wrong with `integrator` beside the `others` already registered (removed ones too); empty when nothing is. */
export function integratorProblems(integrator: Integrator, others: Integrator[]): string[] {
  const problems: string[] = [];
  const reserved = reservedIntegratorNames();
  const lower = (s: string) => s.toLowerCase();
  const check = (what: string, name: string) => {
    if (!NAME.test(name)) problems.push(`${what} "${name}" must be 1 to 64 letters, digits, "_" or "-"`);
    else if (reserved.has(lower(name))) problems.push(`${what} "${name}" is taken by a service of the system`);
  };
  const owner = (o: Integrator) => `integrator "${o.name}"${o.removedAt ? ' (removed)' : ''}`;
  check('name', integrator.name);
  const same = others.find((o) => lower(o.name) === lower(integrator.name));
  if (same?.removedAt) problems.push(`integrator "${same.name}" was removed on ${same.removedAt}: sync, then forget it, before adding it again`);
  else if (same) problems.push(`an integrator named "${integrator.name}" exists already`);
  else {
    // a-b and a_b would share one account.
    const account = others.find((o) => integratorAccountOf(o.name) === integratorAccountOf(integrator.name));
    if (account) problems.push(`name "${integrator.name}" would share the NATS account ${integratorAccountOf(integrator.name)} with ${owner(account)}`);
  }
  if (integrator.consumers.length === 0) problems.push('an integrator needs at least one consumer');
  const theirs = new Map(others.flatMap((o) => o.consumers.map((c) => [lower(c.name), o] as const)));
  for (const consumer of integrator.consumers) {
    // Its own name was checked above.
    if (consumer.name !== integrator.name) check('consumer', consumer.name);
    const holder = theirs.get(lower(consumer.name));
    // An integrator of the same name was reported above.
    if (holder && holder !== same) problems.push(`consumer "${consumer.name}" belongs to ${owner(holder)}`);
    if (!isSubjectFilter(consumer.filter)) problems.push(`consumer "${consumer.name}": filter "${consumer.filter}" is not a NATS subject (events.> or events.permits.>, say)`);
  }
  if (new Set(integrator.consumers.map((c) => lower(c.name))).size !== integrator.consumers.length) problems.push('consumer names repeat');
  if (typeof integrator.createdAt !== 'string' || Number.isNaN(Date.parse(integrator.createdAt))) problems.push('createdAt must be an ISO-8601 time');
  if (integrator.removedAt !== undefined && Number.isNaN(Date.parse(integrator.removedAt))) problems.push('removedAt must be an ISO-8601 time');
  if (!isUserPublicKey(integrator.nkey)) problems.push(`nkey "${integrator.nkey}" is not an NKEY user public key (U…, 56 characters)`);
  else if (others.some((o) => o.nkey === integrator.nkey)) problems.push(`nkey ${integrator.nkey} belongs to ${owner(others.find((o) => o.nkey === integrator.nkey)!)}`);
  return problems;
}

function isUserPublicKey(key: string): boolean {
  try {
    return key.startsWith('U') && nkeys.fromPublic(key).getPublicKey() === key;
  } catch {
    return false;
  }
}

/** The subjects REGENCY exports for one durable, and the integrator imports: pull, acknowledge, read its state. */
function durableApi(layout: BusLayout, consumer: string) {
  const s = layout.eventsStream;
  return {
    // One pull is answered with many messages (and a status at its end): a stream of responses.
    next: { regency: `$JS.API.CONSUMER.MSG.NEXT.${s}.${consumer}`, local: `${INTEGRATOR_API_PREFIX}.CONSUMER.MSG.NEXT.${s}.${consumer}`, responses: 'stream' as const },
    info: { regency: `$JS.API.CONSUMER.INFO.${s}.${consumer}`, local: `${INTEGRATOR_API_PREFIX}.CONSUMER.INFO.${s}.${consumer}` },
    // Messages carry their ack subject as reply: it must keep its name in the integrator's account.
    ack: { regency: `$JS.ACK.${s}.${consumer}.>`, local: `$JS.ACK.${s}.${consumer}.>` },
  };
}

/**
 * An integrator's user in its own account: publish only the imports of its durables (pull, ack,
 * info), replies on its own inbox. Whatever reply subject it sets, JetStream answers through a
 * response mapping back into its account, never onto a subject of REGENCY (nats-io/nats-server#8274).
 */
export function integratorPermissions(layout: BusLayout, integrator: Integrator): UserPermissions {
  return {
    publish: integrator.consumers.flatMap((c) => Object.values(durableApi(layout, c.name)).map((api) => api.local)),
    subscribe: [`${inboxPrefixOf(integrator.name)}.>`],
    allowResponses: false,
  };
}

/**
 * The operator's user in REGENCY, for `sync`: the stream's info and, per registered durable (those of
 * removed integrators too, to delete them), create, info and delete; never any other consumer.
 */
export function opsPermissions(layout: BusLayout, integrators: Integrator[]): UserPermissions {
  const s = layout.eventsStream;
  return {
    publish: [
      '$JS.API.INFO',
      `$JS.API.STREAM.INFO.${s}`,
      ...integrators.flatMap((i) =>
        i.consumers.flatMap(({ name: c }) => [
          ...(i.removedAt ? [] : [`$JS.API.CONSUMER.CREATE.${s}.${c}`, `$JS.API.CONSUMER.CREATE.${s}.${c}.>`, `$JS.API.CONSUMER.DURABLE.CREATE.${s}.${c}`]),
          `$JS.API.CONSUMER.INFO.${s}.${c}`,
          `$JS.API.CONSUMER.DELETE.${s}.${c}`,
        ]),
      ),
    ],
    subscribe: [`${inboxPrefixOf(OPS_USER)}.>`],
    allowResponses: false,
  };
}

/** What a process's wildcards would otherwise allow on an integrator's consumers (reporting's replay may pull from any consumer). */
function integratorGuard(layout: BusLayout, allowed: string[], integrators: Integrator[]): string[] {
  const s = layout.eventsStream;
  const guarded = integrators.flatMap((i) =>
    i.consumers.flatMap(({ name: c }) => [
      `$JS.API.CONSUMER.CREATE.${s}.${c}`,
      `$JS.API.CONSUMER.CREATE.${s}.${c}.>`,
      `$JS.API.CONSUMER.DURABLE.CREATE.${s}.${c}`,
      `$JS.API.CONSUMER.DELETE.${s}.${c}`,
      `$JS.API.CONSUMER.MSG.NEXT.${s}.${c}`,
      `$JS.ACK.${s}.${c}.>`,
    ]),
  );
  return guarded.filter((subject) => allowed.some((pattern) => subjectsOverlap(pattern, subject)));
}

/** Whether some subject matches both NATS subject patterns (`*` one token, `>` one or more). */
export function subjectsOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === '>' || y[i] === '>') return true;
    if (x[i] !== '*' && y[i] !== '*' && x[i] !== y[i]) return false;
  }
  return x.length === y.length;
}

export interface NatsConfigOptions {
  layout?: BusLayout;
  port?: number;
  host?: string;
  storeDir: string;
  /** Each user's password, or (default) a `$NATS_<USER>_PASSWORD` reference the server reads from its environment. */
  passwords?: Partial<Record<NatsUser, string>>;
  /** Server TLS: certificate, key and, for mutual TLS, the CA clients' certificates are signed by. */
  tls?: { certFile: string; keyFile: string; caFile?: string; verify?: boolean };
  /** Integrators (deploy/nats/integrators.json): an account each, importing only its durables; removed ones only for ops. */
  integrators?: Integrator[];
}

const quote = (s: string) => JSON.stringify(s);
const list = (items: string[], indent: string) => `[\n${items.map((i) => `${indent}  ${quote(i)}`).join(',\n')}\n${indent}]`;

const renderPermissions = (perm: UserPermissions): string[] => [
  `        permissions: {`,
  `          publish: { allow: ${list(perm.publish, '          ')}${perm.publishDeny?.length ? `, deny: ${list(perm.publishDeny, '          ')}` : ''} }`,
  `          subscribe: { allow: ${list(perm.subscribe, '          ')} }`,
  ...(perm.allowResponses ? [`          allow_responses: true`] : []),
  `        }`,
];

/** Throws, naming every problem, unless each integrator is valid beside those before it. */
export function checkIntegrators(integrators: Integrator[]): void {
  const problems = integrators.flatMap((integrator, i) => integratorProblems(integrator, integrators.slice(0, i)).map((p) => `integrator "${integrator.name}": ${p}`));
  if (problems.length > 0) throw new Error(`invalid integrators:\n${problems.join('\n')}`);
}

const renderUser = (head: string[], perm: UserPermissions): string => [`      {`, ...head.map((line) => `        ${line}`), ...renderPermissions(perm), `      }`].join('\n');

/** REGENCY's exports of an integrator's durables, each to that integrator's account alone. */
function renderExports(layout: BusLayout, integrator: Integrator): string[] {
  const to = `accounts: [${quote(integratorAccountOf(integrator.name))}]`;
  return integrator.consumers.flatMap((c) =>
    Object.values(durableApi(layout, c.name)).map((api) => `      { service: ${quote(api.regency)}, ${'responses' in api ? `response_type: ${api.responses}, ` : ''}${to} }`),
  );
}

/** The integrator's own account: its NKEY user and the imports of its durables, nothing else (no JetStream of its own). */
function renderIntegratorAccount(layout: BusLayout, integrator: Integrator): string[] {
  const imports = integrator.consumers.flatMap((c) =>
    Object.values(durableApi(layout, c.name)).map(
      (api) => `      { service: { account: "REGENCY", subject: ${quote(api.regency)} }${api.local === api.regency ? '' : `, to: ${quote(api.local)}`} }`,
    ),
  );
  return [
    `  # integrator ${quote(integrator.name)}, added ${quote(integrator.createdAt)}`,
    `  ${integratorAccountOf(integrator.name)} {`,
    `    users: [`,
    renderUser([`nkey: ${quote(integrator.nkey)}`], integratorPermissions(layout, integrator)),
    `    ]`,
    `    imports: [`,
    imports.join('\n'),
    `    ]`,
    `  }`,
  ];
}

/**
 * A nats-server configuration (2.9+) with JetStream: the account REGENCY with a user per process
 * and the operator's, and an account per integrator that imports only the durables made for it.
 */
export function renderNatsConfig(options: NatsConfigOptions): string {
  const layout = options.layout ?? DEFAULT_BUS_LAYOUT;
  const integrators = options.integrators ?? [];
  checkIntegrators(integrators);
  const active = integrators.filter((i) => !i.removedAt);
  const permissions: Record<NatsUser, UserPermissions> = { ...busPermissions(options.layout), [OPS_USER]: opsPermissions(layout, integrators) };
  const users = NATS_USERS.map((user) => {
    const perm = permissions[user];
    // ops is allowed exactly those durables; the processes' wildcards must not reach them.
    const guard = user === OPS_USER ? [] : integratorGuard(layout, perm.publish, integrators);
    const password = options.passwords?.[user] !== undefined ? quote(options.passwords[user]!) : `$NATS_${user.toUpperCase()}_PASSWORD`;
    return renderUser([`user: ${quote(user)}`, `password: ${password}`], guard.length ? { ...perm, publishDeny: [...(perm.publishDeny ?? []), ...guard] } : perm);
  });
  const exported = active.flatMap((i) => renderExports(layout, i));
  const tls = options.tls
    ? [
        `tls {`,
        `  cert_file: ${quote(options.tls.certFile)}`,
        `  key_file: ${quote(options.tls.keyFile)}`,
        ...(options.tls.caFile ? [`  ca_file: ${quote(options.tls.caFile)}`] : []),
        ...(options.tls.verify ? [`  verify: true`] : []),
        `}`,
      ]
    : [];
  return [
    '# Generated by `npx nx run platform:nats-config` from libs/platform/src/nats/permissions.ts: edit that, not this.',
    '# REGENCY: one user per process, each allowed to publish and subscribe only where it must, and ops; an account per integrator.',
    `host: ${quote(options.host ?? '0.0.0.0')}`,
    `port: ${options.port ?? 4222}`,
    `max_payload: 1048576`,
    `jetstream { store_dir: ${quote(options.storeDir)} }`,
    ...tls,
    `accounts {`,
    `  REGENCY {`,
    `    jetstream: enabled`,
    `    users: [`,
    users.join(',\n'),
    `    ]`,
    ...(exported.length ? [`    exports: [`, exported.join('\n'), `    ]`] : []),
    `  }`,
    ...active.flatMap((i) => renderIntegratorAccount(layout, i)),
    `}`,
    '',
  ].join('\n');
}

import { AUDIT_SUBJECTS, REVOCATION_SUBJECT, ServiceName, SERVICES, Subject, SUBJECTS } from '@smart-regency/contracts';
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
  notifications: [],
};

/** Durable consumers each service keeps on the events stream. */
export const SERVICE_CONSUMERS: Record<ServiceName, string[]> = {
  identity: [],
  permits: ['permits-user-erased'],
  complaints: ['complaints-user-erased'],
  reporting: ['reporting'],
  notifications: ['notifications'],
};

/** Services that replay the stream through ordered consumers (reporting's rebuild, webhook replays). */
const REPLAYERS = new Set<ServiceName>(['reporting', 'notifications']);

/** Subjects only services call on each other: the gateway never needs them. */
const INTERNAL_ONLY = new Set<string>([SUBJECTS.identity.holderName]);

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

export interface NatsConfigOptions {
  layout?: BusLayout;
  port?: number;
  host?: string;
  storeDir: string;
  /** Each user's password, or (default) a `$NATS_<USER>_PASSWORD` reference the server reads from its environment. */
  passwords?: Partial<Record<BusUser, string>>;
  /** Server TLS: certificate, key and, for mutual TLS, the CA clients' certificates are signed by. */
  tls?: { certFile: string; keyFile: string; caFile?: string; verify?: boolean };
}

const quote = (s: string) => JSON.stringify(s);
const list = (items: string[], indent: string) => `[\n${items.map((i) => `${indent}  ${quote(i)}`).join(',\n')}\n${indent}]`;

/** A nats-server configuration (2.9+) with JetStream, one account and a user per process. */
export function renderNatsConfig(options: NatsConfigOptions): string {
  const permissions = busPermissions(options.layout);
  const users = BUS_USERS.map((user) => {
    const perm = permissions[user];
    const password = options.passwords?.[user] !== undefined ? quote(options.passwords[user]!) : `$NATS_${user.toUpperCase()}_PASSWORD`;
    return [
      `      {`,
      `        user: ${quote(user)}`,
      `        password: ${password}`,
      `        permissions: {`,
      `          publish: { allow: ${list(perm.publish, '          ')}${perm.publishDeny?.length ? `, deny: ${list(perm.publishDeny, '          ')}` : ''} }`,
      `          subscribe: { allow: ${list(perm.subscribe, '          ')} }`,
      ...(perm.allowResponses ? [`          allow_responses: true`] : []),
      `        }`,
      `      }`,
    ].join('\n');
  });
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
    '# One user per process, each allowed to publish and subscribe only where it must.',
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
    `  }`,
    `}`,
    '',
  ].join('\n');
}

import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { EVENT_CATALOGUE, EventType } from './catalogue';

/**
 * Builds docs/asyncapi.yaml from the event catalogue, so the document integrators read is the
 * contract the services validate against. Not exported from the package index: it is a build
 * tool (`nx run contracts:asyncapi`) and its JSON-schema helper is a dev dependency.
 */

const DESCRIPTIONS: Record<EventType, string> = {
  'identity.user.registered.v1': 'A person got an account: a citizen registered, or an admin created a staff account.',
  'identity.user.erased.v1': 'A citizen asked for erasure; every service anonymises its copy of their data.',
  'identity.calendar.changed.v1': "A year's non-working days changed (seeded, or corrected by an admin): the whole year, no personal data. Permits and complaints keep their copy from it.",
  'identity.agency.changed.v1': 'An admin created or changed an agency: the entry as the public directory (`GET /agencies`) shows it, no personal data. Permits keeps its copy of the directory from it.',
  'permits.application.submitted.v1': 'A citizen submitted a permit application; `dueAt` is the legal deadline.',
  'permits.application.status_changed.v1': 'An application moved through its lifecycle (verify, recommend, approve, reject, …).',
  'permits.application.issued.v1': 'A permit was issued, with its certificate number and public verification code.',
  'permits.application.overdue.v1': 'An application passed its deadline without a decision (sent once).',
  'complaints.complaint.received.v1':
    'A complaint was filed. `location`: exact for public complaints, rounded to ~110 m (three decimals) for anonymous ones as the public API shows them, the district only for confidential ones; no event names a reporter.',
  'complaints.complaint.status_changed.v1': 'A complaint moved through its lifecycle (verify, dispose, start, resolve, close, …).',
  'complaints.complaint.escalated.v1': 'A complaint missed the deadline of a stage (verification, follow-up, …).',
  'complaints.complaint.rated.v1': 'The reporter rated the answer (1–5).',
  'complaints.complaint.commented.v1': 'Someone wrote in a complaint\'s thread; `authorRole` says which side, never who.',
  'complaints.complaint.lapor_forward_requested.v1': 'An agency head, an admin or the category asked that the complaint go to SP4N-LAPOR!.',
  'complaints.complaint.lapor_forwarded.v1': 'SP4N-LAPOR! took the complaint; `laporId` is its id there.',
  'complaints.complaint.lapor_forward_failed.v1': 'The complaint could not be forwarded to SP4N-LAPOR! (after retries, or refused).',
  'complaints.complaint.lapor_updated.v1': 'SP4N-LAPOR! reported a new status for a forwarded complaint.',
  'notifications.webhook.created.v1': 'An admin subscribed a receiver to events (the URL and secret are not in the event).',
  'notifications.webhook.updated.v1': 'An admin changed a webhook subscription; `changed` names the fields.',
  'notifications.webhook.deleted.v1': 'An admin removed a webhook subscription.',
  'notifications.webhook.secret_rotated.v1': "An admin rotated a webhook's signing secret; the old one signs too until `previousSecretExpiresAt`.",
  'notifications.webhook.disabled.v1': 'The system turned a webhook subscription off (deliveries kept failing, or the receiver answered 410); `reason` says why.',
};

const camel = (type: string) =>
  type.replace(/[._](\w)/g, (_, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toLowerCase());

export function buildAsyncApi(version = '1.0.0'): Record<string, unknown> {
  const all = validationMetadatasToSchemas({ refPointerPrefix: '#/components/schemas/' });
  const dataNames = new Set(Object.values(EVENT_CATALOGUE).map((spec) => spec.data.name));
  const schemas: Record<string, unknown> = {
    CloudEvent: {
      type: 'object',
      description: 'CloudEvents 1.0, structured mode. The NATS header Nats-Msg-Id equals `id`.',
      required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'data'],
      properties: {
        specversion: { type: 'string', const: '1.0' },
        id: { type: 'string', format: 'uuid', description: 'Unique per event; consumers de-duplicate on it.' },
        source: { type: 'string', examples: ['/regency/permits'] },
        type: { type: 'string', description: '`<service>.<entity>.<event>.v<N>`' },
        subject: { type: 'string', format: 'uuid', description: 'The record the event is about; events of one record arrive in commit order.' },
        time: { type: 'string', format: 'date-time' },
        datacontenttype: { type: 'string', const: 'application/json' },
        data: { type: 'object' },
      },
    },
  };
  // The data classes and what they reference (nested objects), nothing else of the contracts.
  const wanted = [...dataNames];
  for (let i = 0; i < wanted.length; i++) {
    const schema = all[wanted[i]];
    if (!schema) continue;
    schemas[wanted[i]] = schema;
    for (const ref of JSON.stringify(schema).match(/#\/components\/schemas\/(\w+)/g) ?? []) {
      const name = ref.split('/').pop()!;
      if (!wanted.includes(name)) wanted.push(name);
    }
  }

  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const [type, spec] of Object.entries(EVENT_CATALOGUE) as Array<[EventType, (typeof EVENT_CATALOGUE)[EventType]]>) {
    const id = camel(type);
    messages[id] = {
      name: type,
      title: type,
      summary: DESCRIPTIONS[type],
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: { 'Nats-Msg-Id': { type: 'string', format: 'uuid', description: 'Equals the CloudEvent id.' } },
      },
      payload: {
        allOf: [
          { $ref: '#/components/schemas/CloudEvent' },
          {
            type: 'object',
            properties: {
              type: { type: 'string', const: type },
              source: { type: 'string', const: `/regency/${type.split('.')[0]}` },
              data: { $ref: `#/components/schemas/${spec.data.name}` },
            },
          },
        ],
      },
    };
    channels[id] = {
      address: `events.${type}`,
      title: type,
      description: DESCRIPTIONS[type],
      messages: { [id]: { $ref: `#/components/messages/${id}` } },
    };
    operations[`receive${id.replace(/^\w/, (c) => c.toUpperCase())}`] = {
      action: 'receive',
      summary: `Subscribe to ${type}`,
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'smart-regency events',
      version,
      description:
        'Domain events of the smart-regency e-governance backend, published on NATS JetStream (stream ' +
        '`REGENCY_EVENTS`, subjects `events.>`) through a transactional outbox. Nothing is lost, every ' +
        'event has a unique id for de-duplication, and events of one record (`subject`) arrive in commit ' +
        'order. No event carries a NIK or personal data of anonymous or confidential reporters. See docs/events.md.',
      license: { name: 'Apache-2.0' },
    },
    defaultContentType: 'application/json',
    servers: {
      regency: {
        host: 'localhost:4222',
        protocol: 'nats',
        description: "The regency's NATS server with JetStream; integrators get a read-only account on events.>.",
      },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
}

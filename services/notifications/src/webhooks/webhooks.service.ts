import { Injectable } from '@nestjs/common';
import {
  Actor,
  CreateWebhookRequest,
  DeliveryIdRequest,
  DeliveryResponse,
  ListDeliveriesRequest,
  ListWebhooksRequest,
  Page,
  pageOf,
  pageOffset,
  ReplayCommand,
  ReplayIdRequest,
  ReplayResponse,
  RotateSecretResponse,
  UpdateWebhookCommand,
  WebhookCreatedResponse,
  WebhookResponse,
} from '@smart-regency/contracts';
import { auditChanges, AuditTrail, DomainError, EventRecorder, requireRole } from '@smart-regency/platform';
import { createHash, randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { NotificationsConfig } from '../config';
import { DeliveryWorker } from './delivery-worker';
import { ReplayRunner } from './replay-runner';
import { TargetGuard } from './target-guard';
import { newWebhookSecret, SecretSealer } from './webhook-secrets';
import { SubscriptionRow, toDeliveryResponse, toReplayResponse, toWebhookResponse, WebhookStore } from './webhook.store';

const requireAdmin = (actor: Actor) => requireRole(actor, ['admin'], 'webhooks are managed by admins');
const notFound = (id: string) => new DomainError('NOTIFICATIONS.WEBHOOK_NOT_FOUND', `no webhook ${id}`);

/**
 * A URL as the audit trail keeps it: its origin, and a fingerprint of the whole so that any change
 * shows. Credentials, query and path are left out: many receivers take their token in the path
 * (Slack, Teams, Zapier…), auditors read the trail, and it cannot be edited.
 */
function auditedUrl(raw: string): string {
  return `${new URL(raw).origin}/… (sha256 ${createHash('sha256').update(raw).digest('hex').slice(0, 16)})`;
}

/** A subscription's fields as the audit trail compares them (description is free text: only "changed"). */
function audited(s: WebhookResponse) {
  return { url: auditedUrl(s.url), eventTypes: s.eventTypes, agencyId: s.agencyId, description: s.description, active: s.active };
}

@Injectable()
export class WebhooksService {
  private readonly store = new WebhookStore();
  private readonly sealer: SecretSealer;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: NotificationsConfig,
    private readonly guard: TargetGuard,
    private readonly events: EventRecorder,
    private readonly audit: AuditTrail,
    private readonly worker: DeliveryWorker,
    private readonly replays: ReplayRunner,
  ) {
    this.sealer = new SecretSealer(config.WEBHOOK_SECRET_ENCRYPTION_KEY, config.WEBHOOK_SECRET_ENCRYPTION_KEY_PREVIOUS);
  }

  async create(actor: Actor, request: CreateWebhookRequest): Promise<WebhookCreatedResponse> {
    requireAdmin(actor);
    await this.guard.checkTarget(request.url);
    const id = randomUUID();
    const secret = newWebhookSecret();
    const created = await this.dataSource.transaction(async (m) => {
      // Counted under a lock, so two creations at once cannot both pass the limit. A lock of
      // creations only (transaction-scoped advisory lock): locking the table also waited for every
      // delivery outcome and change written to a subscription, and held them all up in turn.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('webhook_subscriptions.create'))`);
      if ((await this.store.countSubscriptions(m)) >= this.config.WEBHOOK_MAX_SUBSCRIPTIONS) {
        throw new DomainError('NOTIFICATIONS.TOO_MANY_WEBHOOKS', `at most ${this.config.WEBHOOK_MAX_SUBSCRIPTIONS} webhooks`);
      }
      const row = await this.store.insertSubscription(m, {
        id,
        url: request.url,
        eventTypes: [...new Set(request.eventTypes)],
        agencyId: request.agencyId ?? null,
        description: request.description ?? '',
        active: request.active ?? true,
        secretSealed: this.sealer.seal(id, secret),
        createdBy: actor.id ?? null,
      });
      const response = toWebhookResponse(row);
      await this.events.record(
        m,
        'notifications.webhook.created.v1',
        { webhookId: id, eventTypes: row.event_types, ...(row.agency_id ? { agencyId: row.agency_id } : {}), active: row.active },
        this.audit.pending({ action: 'webhook.create', entityType: 'webhook', entityId: id, changes: auditChanges(null, audited(response)) }),
      );
      return response;
    });
    return { ...created, secret };
  }

  async list(actor: Actor, query: ListWebhooksRequest): Promise<Page<WebhookResponse>> {
    requireAdmin(actor);
    const { skip, take } = pageOffset(query);
    const { rows, total } = await this.store.listSubscriptions(this.dataSource, query.active, skip, take);
    return pageOf(rows.map(toWebhookResponse), total, query);
  }

  async get(actor: Actor, id: string): Promise<WebhookResponse> {
    requireAdmin(actor);
    return toWebhookResponse(await this.found(id));
  }

  async update(actor: Actor, { id, ...changes }: UpdateWebhookCommand): Promise<WebhookResponse> {
    requireAdmin(actor);
    if (changes.url !== undefined) await this.guard.checkTarget(changes.url);
    let requeued = 0;
    const updated = await this.dataSource.transaction(async (m) => {
      const row = await this.store.findSubscription(m, id, true);
      if (!row) throw notFound(id);
      const before = toWebhookResponse(row);
      const set: Partial<Record<keyof SubscriptionRow, unknown>> = {};
      if (changes.url !== undefined) set.url = changes.url;
      if (changes.eventTypes !== undefined) set.event_types = [...new Set(changes.eventTypes)];
      if (changes.agencyId !== undefined) set.agency_id = changes.agencyId;
      if (changes.description !== undefined) set.description = changes.description;
      if (changes.active !== undefined) {
        set.active = changes.active;
        // Either way the system's reason no longer holds: an admin decided.
        set.disabled_reason = null;
        set.disabled_at = changes.active ? null : new Date();
        if (changes.active) set.failing_since = null;
      }
      const after = toWebhookResponse(Object.keys(set).length ? await this.store.updateSubscription(m, id, set) : row);
      if (changes.active && !row.active) requeued = await this.store.requeueUndelivered(m, id);
      const diff = auditChanges(audited(before), audited(after));
      const changed = Object.keys(diff.after ?? {});
      if (changed.length) {
        await this.events.record(
          m,
          'notifications.webhook.updated.v1',
          { webhookId: id, changed, active: after.active },
          this.audit.pending({ action: 'webhook.update', entityType: 'webhook', entityId: id, changes: diff }),
        );
      }
      return after;
    });
    if (requeued) this.worker.wake();
    return updated;
  }

  async remove(actor: Actor, id: string): Promise<Record<string, never>> {
    requireAdmin(actor);
    await this.dataSource.transaction(async (m) => {
      const row = await this.store.findSubscription(m, id, true);
      if (!row) throw notFound(id);
      await this.store.deleteSubscription(m, id);
      await this.events.record(
        m,
        'notifications.webhook.deleted.v1',
        { webhookId: id },
        this.audit.pending({ action: 'webhook.delete', entityType: 'webhook', entityId: id, changes: auditChanges(audited(toWebhookResponse(row)), null) }),
      );
    });
    return {};
  }

  /** A new secret; the old one keeps signing (beside it) for WEBHOOK_SECRET_GRACE_HOURS. */
  async rotateSecret(actor: Actor, id: string): Promise<RotateSecretResponse> {
    requireAdmin(actor);
    const secret = newWebhookSecret();
    const expires = new Date(Date.now() + this.config.WEBHOOK_SECRET_GRACE_HOURS * 3600_000);
    await this.dataSource.transaction(async (m) => {
      const row = await this.store.findSubscription(m, id, true);
      if (!row) throw notFound(id);
      await this.store.updateSubscription(m, id, { secret_sealed: this.sealer.seal(id, secret), previous_secret_sealed: row.secret_sealed, previous_secret_expires_at: expires });
      await this.events.record(
        m,
        'notifications.webhook.secret_rotated.v1',
        { webhookId: id, previousSecretExpiresAt: expires.toISOString() },
        this.audit.pending({ action: 'webhook.rotate_secret', entityType: 'webhook', entityId: id, changes: { after: { previousSecretExpiresAt: expires.toISOString() } } }),
      );
    });
    return { id, secret, previousSecretExpiresAt: expires.toISOString() };
  }

  async deliveries(actor: Actor, query: ListDeliveriesRequest): Promise<Page<DeliveryResponse>> {
    requireAdmin(actor);
    await this.found(query.id);
    const { skip, take } = pageOffset(query);
    const { rows, total, totalExact } = await this.store.listDeliveries(this.dataSource, query.id, query.status, skip, take);
    return { ...pageOf(rows.map(toDeliveryResponse), total, query), totalExact };
  }

  /** Queues one delivery again, whatever became of it; it goes at once if the subscription is active. */
  async redeliver(actor: Actor, { id, deliveryId }: DeliveryIdRequest): Promise<DeliveryResponse> {
    requireAdmin(actor);
    await this.found(id);
    const row = await this.dataSource.transaction(async (m) => {
      const delivery = await this.store.redeliver(m, id, deliveryId);
      if (!delivery) throw new DomainError('NOTIFICATIONS.DELIVERY_NOT_FOUND', `no delivery ${deliveryId} of webhook ${id}`);
      await this.audit.record(m, { action: 'webhook.redeliver', entityType: 'webhook', entityId: id, changes: { after: { deliveryId, eventId: delivery.event_id } } });
      return delivery;
    });
    this.worker.wake();
    return toDeliveryResponse(row);
  }

  async startReplay(actor: Actor, { id, since }: ReplayCommand): Promise<ReplayResponse> {
    requireAdmin(actor);
    const from = new Date(since);
    if (from.getTime() > Date.now()) throw new DomainError('NOTIFICATIONS.REPLAY_IN_FUTURE', 'since is in the future', [{ field: 'since', message: 'must not be in the future', rule: 'past' }]);
    const subscription = await this.found(id);
    const row = await this.replays.start(subscription, from, actor.id ?? null, (m) =>
      this.audit.record(m, { action: 'webhook.replay', entityType: 'webhook', entityId: id, changes: { after: { since: from.toISOString() } } }),
    );
    return toReplayResponse(row);
  }

  async getReplay(actor: Actor, { id, replayId }: ReplayIdRequest): Promise<ReplayResponse> {
    requireAdmin(actor);
    const row = await this.store.findReplay(this.dataSource, id, replayId);
    if (!row) throw new DomainError('NOTIFICATIONS.REPLAY_NOT_FOUND', `no replay ${replayId} of webhook ${id}`);
    return toReplayResponse(row);
  }

  private async found(id: string): Promise<SubscriptionRow> {
    const row = await this.store.findSubscription(this.dataSource, id);
    if (!row) throw notFound(id);
    return row;
  }
}

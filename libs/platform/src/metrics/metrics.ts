import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One Prometheus registry per process, labelled with the service name. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests handled, by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency, by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly natsRequests = new Counter({
    name: 'nats_requests_total',
    help: 'NATS requests handled, by subject and outcome (ok or error code)',
    labelNames: ['subject', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly natsDuration = new Histogram({
    name: 'nats_request_duration_seconds',
    help: 'Time to handle a NATS request, by subject and outcome',
    labelNames: ['subject', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly rpcClientDuration = new Histogram({
    name: 'rpc_client_duration_seconds',
    help: 'Round trip of requests this process sent over NATS, by subject and outcome',
    labelNames: ['subject', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'events_published_total',
    help: 'Outbox events acknowledged by JetStream',
    registers: [this.registry],
  });

  readonly eventPublishLatency = new Histogram({
    name: 'event_publish_latency_seconds',
    help: 'From commit (outbox insert) to JetStream acknowledgement',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120, 600],
    registers: [this.registry],
  });

  /** Set by the service from the outbox on each scrape. */
  readonly outboxBacklog = new Gauge({
    name: 'outbox_backlog',
    help: 'Events committed but not yet acknowledged by JetStream',
    registers: [this.registry],
  });

  readonly consumerPending = new Gauge({
    name: 'event_consumer_pending',
    help: 'Events in the stream not yet delivered to the consumer (lag)',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly eventsConsumed = new Counter({
    name: 'events_consumed_total',
    help: 'Events handled by a consumer, by outcome (processed, duplicate, retried, dead_lettered)',
    labelNames: ['consumer', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly tokenVerification = new Histogram({
    name: 'auth_token_verification_seconds',
    help: 'Time the gateway spends verifying an access token (signature, claims, revocation)',
    labelNames: ['outcome'] as const,
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    registers: [this.registry],
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

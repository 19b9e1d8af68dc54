import { Controller, DynamicModule, Get, Header, Injectable, Module, Res } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { HealthCheckService, TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ServiceHealthResponse, ServiceName, SUBJECTS } from '@smart-regency/contracts';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { RpcPublic } from '../auth/rpc-access';
import { Metrics } from '../metrics/metrics';
import { NatsHealthIndicator } from './nats.health';
import { SharedReadiness } from './readiness';

const VERSION = process.env.npm_package_version ?? '0.1.0';

@Injectable()
export class ServiceHealth {
  private readonly started = Date.now();

  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly nats: NatsHealthIndicator,
    private readonly dataSource: DataSource,
  ) {}

  readiness() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 1500 }), () => this.nats.check()]);
  }

  /** What the gateway's readiness asks over NATS: answering at all proves NATS; this adds the database. */
  async report(service: string): Promise<ServiceHealthResponse> {
    const database = await this.dataSource
      .query('SELECT 1')
      .then(() => 'up' as const)
      .catch(() => 'down' as const);
    return {
      service,
      status: database,
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - this.started) / 1000),
      checks: { database },
    };
  }
}

function healthControllers(service: ServiceName) {
  @Controller()
  class HealthHttpController {
    private readonly readiness: SharedReadiness;

    constructor(
      private readonly health: ServiceHealth,
      private readonly metrics: Metrics,
    ) {
      this.readiness = new SharedReadiness(() => this.health.readiness());
    }

    @Get('health/live')
    live() {
      return { status: 'ok', service };
    }

    @Get('health/ready')
    ready(@Res({ passthrough: true }) reply: FastifyReply) {
      return this.readiness.answer(reply);
    }

    @Get('metrics')
    @Header('Cache-Control', 'no-store')
    async scrape(@Res({ passthrough: true }) reply: FastifyReply) {
      reply.header('Content-Type', this.metrics.contentType);
      return this.metrics.render();
    }
  }

  @Controller()
  class HealthRpcController {
    constructor(private readonly health: ServiceHealth) {}

    @MessagePattern(SUBJECTS[service].health)
  @RpcPublic()
    check() {
      return this.health.report(service);
    }
  }

  return [HealthHttpController, HealthRpcController];
}

/** Liveness, readiness (database, NATS), Prometheus metrics, and `<service>.health.check`. */
@Module({})
export class ServiceHealthModule {
  static forService(service: ServiceName): DynamicModule {
    return {
      module: ServiceHealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: healthControllers(service),
      providers: [ServiceHealth, NatsHealthIndicator],
    };
  }
}

import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { SERVICES, ServiceName, SUBJECTS } from '@smart-regency/contracts';
import { NatsHealthIndicator, RpcClient, SharedReadiness } from '@smart-regency/platform';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.guard';

export const READINESS_TIMEOUT_MS = Symbol('READINESS_TIMEOUT_MS');

@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly nats: NatsHealthIndicator,
    private readonly rpc: RpcClient,
    @Inject(READINESS_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  /** NATS and every service with its database, checked at most once a second however often it is asked. */
  private readonly readiness = new SharedReadiness(() => this.health.check([() => this.nats.check(), ...SERVICES.map((service) => () => this.service(service))]));

  @Get('health/live')
  live() {
    return { status: 'ok', service: 'gateway' };
  }

  /** 200 only when NATS is connected and every service answers with its database up. */
  @Get('health/ready')
  @Header('Cache-Control', 'no-store')
  ready(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.readiness.answer(reply);
  }

  private async service(service: ServiceName) {
    const session = this.indicator.check(service);
    try {
      const report = await this.rpc.send(SUBJECTS[service].health, {}, {}, this.timeoutMs);
      return report.status === 'up'
        ? session.up({ version: report.version, uptimeSeconds: report.uptimeSeconds, ...report.checks })
        : session.down({ ...report.checks });
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }
}

import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { NatsState } from '../nats/nats.module';

@Injectable()
export class NatsHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly nats: NatsState,
  ) {}

  check(key = 'nats'): HealthIndicatorResult {
    const session = this.indicator.check(key);
    return this.nats.isConnected ? session.up() : session.down({ message: 'not connected to NATS' });
  }
}

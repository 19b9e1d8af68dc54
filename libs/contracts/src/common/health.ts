import { ApiProperty } from '@nestjs/swagger';

export type CheckStatus = 'up' | 'down';

/** What `<service>.health.check` answers. */
export class ServiceHealthResponse {
  @ApiProperty({ example: 'identity' })
  service: string;
  @ApiProperty({ enum: ['up', 'down'] })
  status: CheckStatus;
  @ApiProperty({ example: '0.1.0' })
  version: string;
  @ApiProperty({ example: 120 })
  uptimeSeconds: number;
  @ApiProperty({ example: { database: 'up' } })
  checks: Record<string, CheckStatus>;
}

/** The health check takes no parameters. */
export class HealthCheckRequest {}

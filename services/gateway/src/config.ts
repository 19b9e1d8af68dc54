import { Expose, Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { CommonConfig, loadConfig, toBool, toInt } from '@smart-regency/platform';

export class GatewayConfig extends CommonConfig {
  /** How long the gateway waits for a service's answer before answering 503. */
  @Expose() @toInt() @IsInt() @Min(100) @Max(60000)
  RPC_TIMEOUT_MS: number = 5000;

  /** How long /health/ready waits for each service. */
  @Expose() @toInt() @IsInt() @Min(100) @Max(30000)
  READINESS_TIMEOUT_MS: number = 2000;

  /** Largest JSON body accepted, in bytes (file uploads have their own limit). */
  @Expose() @toInt() @IsInt() @Min(1024) @Max(50 * 1024 * 1024)
  BODY_LIMIT_BYTES: number = 1024 * 1024;

  /** Origins allowed by CORS: empty for none, `*` for any, or a comma-separated list. */
  @Expose() @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)) @IsString()
  @Matches(/^(|\*|https?:\/\/[^\s,]+(,\s*https?:\/\/[^\s,]+)*)$/, {
    message: 'CORS_ORIGINS must be empty, "*" or comma-separated http(s) origins',
  })
  CORS_ORIGINS: string = '';

  /** The public address of the API, for the links it writes (Open311 discovery and media_url); never taken from a request's Host. */
  @Expose() @IsString() @Matches(/^https?:\/\/[^\s]+[^/\s]$/, { message: 'PUBLIC_BASE_URL must be an http(s) URL without a trailing slash' })
  PUBLIC_BASE_URL: string = 'http://localhost:3000';

  /**
   * Open311 request lists (`GET /open311/v2/requests.json|xml`, public) are shared between identical
   * queries for this long, with an `Age` header (0: every request asks complaints). Civic apps and
   * aggregators poll these lists; one answer of 100 requests costs ~6 ms of CPU across the processes.
   */
  @Expose() @toInt() @IsInt() @Min(0) @Max(60000)
  OPEN311_LIST_SHARE_MS: number = 2000;

  /** Sign-in attempts (login, refresh) per client IP per minute before 429. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(100000)
  LOGIN_RATE_LIMIT_PER_MINUTE: number = 20;

  /** Longest a client may take to send a whole request, headers and body; slower ones are cut (a 10 MiB upload needs ~1.4 Mbit/s at 60 s). */
  @Expose() @toInt() @IsInt() @Min(5000) @Max(600000)
  REQUEST_TIMEOUT_MS: number = 60000;

  /** File uploads read at once: each holds up to 10 MiB of memory until it travels on (503 beyond). */
  @Expose() @toInt() @IsInt() @Min(1) @Max(1000)
  MAX_CONCURRENT_UPLOADS: number = 16;

  /** File uploads read at once from one client address (429 beyond). */
  @Expose() @toInt() @IsInt() @Min(1) @Max(1000)
  MAX_CONCURRENT_UPLOADS_PER_CLIENT: number = 3;

  /** Internal port of `GET /metrics` (Prometheus); never the API's port. 0 picks a free one. */
  @Expose() @toInt() @IsInt() @Min(0) @Max(65535)
  METRICS_PORT: number = 9464;

  /** Trust X-Forwarded-* from a reverse proxy in front of the gateway. */
  @Expose() @toBool() @IsBoolean({ message: 'TRUST_PROXY must be true or false' })
  TRUST_PROXY: boolean = false;
}

export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return loadConfig(GatewayConfig, env);
}

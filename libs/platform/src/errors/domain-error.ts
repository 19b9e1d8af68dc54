import { ErrorCode, FieldError, RpcErrorPayload } from '@smart-regency/contracts';

/** An error a service means to tell the caller about; the code decides the HTTP status. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: FieldError[],
    /** Seconds until a retry may succeed (429, 503). */
    readonly retryAfter?: number,
  ) {
    super(message ?? code);
    this.name = 'DomainError';
  }

  toRpc(): RpcErrorPayload {
    return {
      code: this.code,
      message: this.message,
      ...(this.details?.length ? { details: this.details } : {}),
      ...(this.retryAfter !== undefined ? { retryAfter: this.retryAfter } : {}),
    };
  }

  static fromRpc(payload: RpcErrorPayload): DomainError {
    return new DomainError(payload.code as ErrorCode, payload.message, payload.details, payload.retryAfter);
  }
}

export class NotFoundError extends DomainError {
  constructor(code: ErrorCode = 'COMMON.NOT_FOUND', message?: string) {
    super(code, message);
  }
}

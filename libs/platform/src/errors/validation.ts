import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError } from '@smart-regency/contracts';
import { capFieldErrors } from '../common/input-guard';
import { DomainError } from './domain-error';

/** Flattens class-validator's tree into one entry per invalid field (`location.lat`, `items[0].code`). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const name = /^\d+$/.test(e.property) ? `${parent}[${e.property}]` : parent ? `${parent}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({ field: name, message, rule }));
    return [...own, ...flattenValidationErrors(e.children ?? [], name)];
  });
}

/** The one validation pipe, used by the gateway on HTTP input and by services at their NATS boundary. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // One message per field: the first rule it breaks.
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    // A short list: a body of thousands of unknown keys must not make an answer of thousands of errors.
    exceptionFactory: (errors) => new DomainError('COMMON.VALIDATION', 'Validation failed', capFieldErrors(flattenValidationErrors(errors))),
  });
}

import { ValidateIf } from 'class-validator';

/**
 * A field the caller may leave out. Unlike class-validator's IsOptional, `null` is not "left out":
 * it is validated like any value and refused by the field's rules (a `null` title in a PATCH must
 * be a 400, not a NOT NULL violation in the database). A field that means something by null says
 * so with its own `ValidateIf((_, v) => v !== null)`.
 */
export const Omittable = () => ValidateIf((_: unknown, value: unknown) => value !== undefined);

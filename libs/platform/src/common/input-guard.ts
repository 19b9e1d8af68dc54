import { FieldError } from '@smart-regency/contracts';

/**
 * Bounds on the shape of anything a caller sends (HTTP body, query and path values; a NATS
 * payload). No request of ours comes near them: the largest, a permit type with its form fields
 * and documents, has a few hundred keys and a depth of 5.
 */
export interface InputLimits {
  /** Nesting of objects and arrays. */
  maxDepth: number;
  /** Object keys plus array items, counted over the whole value. */
  maxEntries: number;
}

export const INPUT_LIMITS: InputLimits = { maxDepth: 16, maxEntries: 5_000 };

/** At most this many field errors travel back; the rest are summed up in one last entry. */
export const MAX_FIELD_ERRORS = 20;

// U+0000 cannot be stored in PostgreSQL text, and a lone UTF-16 surrogate is not text at all
// (it becomes U+FFFD or an error depending on who encodes it): both are refused wherever they appear.
const BAD_CHARACTER = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function hasBadCharacter(text: string): boolean {
  return BAD_CHARACTER.test(text);
}

const badCharacter = (field: string): FieldError => ({
  field,
  message: 'must not contain NUL characters or unpaired UTF-16 surrogates',
  rule: 'isWellFormed',
});

/**
 * What is wrong with the shape of `value`: too deep, too many keys or items, or a string (value or
 * key) with a NUL or a lone surrogate. Iterative, so a value nested 50,000 deep costs no stack, and
 * it stops at the first limit it passes; errors are capped at MAX_FIELD_ERRORS.
 */
export function inspectInput(value: unknown, root = '', limits: InputLimits = INPUT_LIMITS): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  let entries = 0;
  while (stack.length > 0 && errors.length < MAX_FIELD_ERRORS) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (hasBadCharacter(v)) errors.push(badCharacter(path || '(value)'));
      continue;
    }
    if (typeof v !== 'object' || v === null || Buffer.isBuffer(v) || v instanceof Uint8Array) continue;
    if (depth >= limits.maxDepth) {
      return [{ field: path || '(body)', message: `is nested deeper than ${limits.maxDepth} levels`, rule: 'maxDepth' }];
    }
    const keys = Array.isArray(v) ? null : Object.keys(v);
    entries += keys ? keys.length : (v as unknown[]).length;
    if (entries > limits.maxEntries) {
      return [{ field: root || '(body)', message: `has more than ${limits.maxEntries} keys and items in all`, rule: 'maxEntries' }];
    }
    if (keys) {
      for (const key of keys) {
        const child = path ? `${path}.${key}` : key;
        if (hasBadCharacter(key)) errors.push(badCharacter(child));
        stack.push({ value: (v as Record<string, unknown>)[key], path: child, depth: depth + 1 });
      }
    } else {
      (v as unknown[]).forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 }));
    }
  }
  return errors.slice(0, MAX_FIELD_ERRORS);
}

/** Keeps the first MAX_FIELD_ERRORS errors and says how many more there were. */
export function capFieldErrors(errors: FieldError[]): FieldError[] {
  if (errors.length <= MAX_FIELD_ERRORS) return errors;
  const more = errors.length - MAX_FIELD_ERRORS;
  return [...errors.slice(0, MAX_FIELD_ERRORS), { field: '*', message: `and ${more} more invalid field${more === 1 ? '' : 's'}`, rule: 'truncated' }];
}

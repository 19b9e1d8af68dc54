import { readFileSync } from 'fs';
import { ValidateBy } from 'class-validator';
import { FatalStartupError } from '../bootstrap/retry';

/**
 * Goes on `<NAME>_FILE`, the file form of the secret `<NAME>` (a Docker or Kubernetes secret
 * mounted as a file): at most one of the two may be set, and one must be when `required(config)`.
 */
export function SecretOrFile(name: string, required: (config: Record<string, unknown>) => boolean = () => false) {
  return ValidateBy({
    name: 'secretOrFile',
    validator: {
      validate: (file, args) => {
        const config = args?.object as Record<string, unknown>;
        const inline = config[name];
        if (file !== undefined && typeof file !== 'string') return false;
        if (inline !== undefined && file !== undefined) return false;
        return inline !== undefined || file !== undefined || !required(config);
      },
      defaultMessage: (args) => {
        const config = args?.object as Record<string, unknown>;
        if (config[name] !== undefined && config[`${name}_FILE`] !== undefined) return `set ${name} or ${name}_FILE, not both`;
        return `${name} or ${name}_FILE (a file holding it) is required here`;
      },
    },
  });
}

/**
 * The secret `<NAME>` of a validated configuration: its inline value, or the content of the file
 * `<NAME>_FILE` names without its final line break. An unreadable file stops the start.
 */
export function readSecret(config: object, name: string): string | undefined {
  const values = config as Record<string, unknown>;
  const inline = values[name];
  if (typeof inline === 'string') return inline;
  const file = values[`${name}_FILE`];
  if (typeof file !== 'string') return undefined;
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new FatalStartupError(`${name}_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Walking and editing a JSON body value by key paths. */
export type KeyPath = Array<string | number>;

export interface Field {
  path: KeyPath;
  value: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Every property and element below the root, depth first. */
export function fields(root: unknown, path: KeyPath = [], out: Field[] = []): Field[] {
  const entries: Array<[string | number, unknown]> = Array.isArray(root) ? root.map((v, i) => [i, v]) : isObject(root) ? Object.entries(root) : [];
  for (const [key, value] of entries) {
    out.push({ path: [...path, key], value });
    fields(value, [...path, key], out);
  }
  return out;
}

/** Returns the new root: `value` at `path` (the root itself when the path is empty). */
export function setAt(root: unknown, path: KeyPath, value: unknown): unknown {
  if (!path.length) return value;
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
  if (parent && typeof parent === 'object') (parent as Record<string | number, unknown>)[path[path.length - 1]] = value;
  return root;
}

export function deleteAt(root: unknown, path: KeyPath): unknown {
  if (!path.length) return undefined;
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
  if (Array.isArray(parent)) parent.splice(Number(path[path.length - 1]), 1);
  else if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[path[path.length - 1] as string];
  return root;
}

export const describePath = (path: KeyPath) => (path.length ? path.map((k) => (typeof k === 'number' ? `[${k}]` : k)).join('.').replace(/\.\[/g, '[') : '(body)');

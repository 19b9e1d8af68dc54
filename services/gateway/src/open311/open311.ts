import { XMLBuilder } from 'fast-xml-parser';

/** GeoReport v2 errors: a list of `{ code, description }` with the HTTP status as the code. */
export class Open311Error extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
  }
}

export type Format = 'json' | 'xml';

/** `requests.json` → ['requests', 'json']; anything else is a 404 in GeoReport terms. */
export function splitFormat(file: string): [string, Format] {
  const match = /^(.+)\.(json|xml)$/.exec(file);
  if (!match) throw new Open311Error(404, 'resources end in .json or .xml');
  return [match[1], match[2] as Format];
}

const xml = new XMLBuilder({ format: true, suppressEmptyNode: true });

/** Renders a GeoReport document; `root`/`item` name the XML list (JSON is the bare array). */
export function render(format: Format, root: string, item: string, body: unknown): { type: string; text: string } {
  if (format === 'json') return { type: 'application/json; charset=utf-8', text: JSON.stringify(body) };
  const content = Array.isArray(body) ? { [root]: { [item]: body } } : { [root]: body };
  return { type: 'text/xml; charset=utf-8', text: `<?xml version="1.0" encoding="utf-8"?>\n${xml.build(content)}` };
}

import { Parser } from '@asyncapi/parser';
import { readFileSync } from 'fs';
import { resolve } from 'path';
import { parse } from 'yaml';
import { buildAsyncApi } from './asyncapi';
import { EVENT_CATALOGUE } from './catalogue';

const file = resolve(__dirname, '../../../../docs/asyncapi.yaml');

describe('docs/asyncapi.yaml', () => {
  const text = readFileSync(file, 'utf8');

  it('is a valid AsyncAPI 3 document', async () => {
    const { document, diagnostics } = await new Parser().parse(text);
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((e) => `${e.path.join('.')}: ${e.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const addresses = document!.channels().all().map((c) => c.address());
    expect(addresses.sort()).toEqual(Object.keys(EVENT_CATALOGUE).map((t) => `events.${t}`).sort());
  });

  it('is what the catalogue generates (run `npx nx run contracts:asyncapi` after changing an event)', () => {
    expect(parse(text)).toEqual(JSON.parse(JSON.stringify(buildAsyncApi())));
  });

  it('describes each event payload with the fields the contract class validates', () => {
    const doc = buildAsyncApi() as { components: { schemas: Record<string, { required?: string[]; properties: Record<string, unknown> }> } };
    const received = doc.components.schemas.ComplaintReceivedV1;
    expect(Object.keys(received.properties).sort()).toEqual(['agencyId', 'categoryCode', 'complaintId', 'dueAt', 'finalDueAt', 'location', 'trackingNumber', 'visibility']);
    expect(received.required).toContain('visibility');
    // Fields added to v1 later are optional, so no integrator breaks.
    expect(received.required).not.toContain('dueAt');
    expect(doc.components.schemas.UserRegisteredV1.required).not.toContain('agencyId');
  });

  it("carries of an agency only what the public directory (GET /agencies: id, code, name, kind) shows, and when", () => {
    const doc = buildAsyncApi() as { components: { schemas: Record<string, { required?: string[]; properties: Record<string, unknown> }> } };
    const agency = doc.components.schemas.AgencyChangedV1;
    expect(Object.keys(agency.properties).sort()).toEqual(['agencyId', 'at', 'code', 'kind', 'name']);
    expect([...(agency.required ?? [])].sort()).toEqual(['agencyId', 'at', 'code', 'kind', 'name']);
  });
});

import { EVENT_CATALOGUE, eventTypeMatches } from '@smart-regency/contracts';
import { patternsMatching } from './fan-out';

/** The index narrows the subscriptions by patternsMatching: a pattern that matches a type must be among them. */
describe('patternsMatching', () => {
  const types = [...Object.keys(EVENT_CATALOGUE), 'a.b.c.d.e.v2', 'x', 'x.v1'];
  const patterns = ['>', '*', '*.>', 'permits.>', 'permits.application.*', '*.*.status_changed', 'complaints.complaint.received.v1', 'complaints.complaint.received',
    'complaints.*.received.v1', 'a.b.c.d.e', 'a.*.c.>', 'a.b.c.d.e.v2', 'a.b.c.d.e.v3', 'x', 'x.>', '*.v1', 'identity.agency.changed.v2', 'permits.application.submitted.v1.>'];

  it('holds every pattern that matches, and no pattern that does not', () => {
    for (const type of types) {
      const candidates = new Set(patternsMatching(type));
      for (const pattern of patterns) expect([pattern, type, candidates.has(pattern)]).toEqual([pattern, type, eventTypeMatches(pattern, type)]);
      for (const candidate of candidates) expect([candidate, type, eventTypeMatches(candidate, type)]).toEqual([candidate, type, true]);
    }
  });

  it('stays small for the longest types', () => {
    expect(patternsMatching('a.b.c.d.e.v1').length).toBeLessThan(200);
  });
});

import 'reflect-metadata';
import { catalogueTypesMatching, eventPatternProblem, eventTypeMatches } from './event-patterns';

describe('webhook event type patterns', () => {
  it.each([
    ['permits.application.*', 'permits.application.submitted.v1', true],
    ['permits.application.*', 'permits.application.submitted.v2', true],
    ['permits.application.submitted', 'permits.application.submitted.v1', true],
    ['permits.application.submitted.v1', 'permits.application.submitted.v1', true],
    ['permits.application.submitted.v2', 'permits.application.submitted.v1', false],
    ['permits.*', 'permits.application.submitted.v1', false],
    ['permits.>', 'permits.application.submitted.v1', true],
    ['>', 'identity.user.erased.v1', true],
    ['*.*.status_changed', 'complaints.complaint.status_changed.v1', true],
    ['*.*.status_changed', 'permits.application.status_changed.v1', true],
    ['*.*.status_changed', 'permits.application.issued.v1', false],
    ['complaints.complaint.received', 'complaints.complaint.received_late.v1', false],
    ['permits.application', 'permits.application.submitted.v1', false],
  ])('%s matches %s: %s', (pattern, type, expected) => {
    expect(eventTypeMatches(pattern, type)).toBe(expected);
  });

  it('refuses malformed patterns with a reason', () => {
    expect(eventPatternProblem('permits.application.*')).toBeUndefined();
    for (const bad of ['', 'Permits.>', 'permits..x', '>.permits', 'permits.app lication', 'a.b.c.d.e.f.g', 42, null, 'x'.repeat(201)]) {
      expect(eventPatternProblem(bad)).toEqual(expect.any(String));
    }
  });

  it('tells a typo from a pattern that matches the catalogue', () => {
    expect(catalogueTypesMatching('permits.aplication.*')).toEqual([]);
    expect(catalogueTypesMatching('complaints.*.rated')).toEqual(['complaints.complaint.rated.v1']);
    expect(catalogueTypesMatching('notifications.webhook.*').length).toBe(5);
  });
});

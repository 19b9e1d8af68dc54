import { ValidateBy } from 'class-validator';
import { EVENT_CATALOGUE } from '../events/catalogue';

/**
 * Event type patterns of webhook subscriptions: dot-separated segments, where `*` stands for one
 * segment and a final `>` for one or more. A pattern without a version matches every version:
 * `permits.application.*` matches `permits.application.submitted.v1`; `*.*.status_changed`
 * matches both services' status changes; `>` matches everything.
 */
const SEGMENT = /^(\*|>|[a-z0-9_]{1,60})$/;
const VERSION = /^v\d+$/;

export const MAX_EVENT_PATTERNS = 50;

/** Why a pattern is malformed, or undefined when it is well formed. */
export function eventPatternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string' || !pattern.length || pattern.length > 200) return 'must be a text of 1 to 200 characters';
  const segments = pattern.split('.');
  if (segments.length > 6) return 'has too many segments';
  for (let i = 0; i < segments.length; i++) {
    if (!SEGMENT.test(segments[i])) return `segment "${segments[i].slice(0, 60)}" is not a lowercase name, "*" or ">"`;
    if (segments[i] === '>' && i !== segments.length - 1) return '">" may only be the last segment';
  }
  return undefined;
}

function matchSegments(pattern: string[], type: string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '>') return type.length > i;
    if (i >= type.length) return false;
    if (pattern[i] !== '*' && pattern[i] !== type[i]) return false;
  }
  return pattern.length === type.length;
}

/** Whether an event type (`permits.application.submitted.v1`) matches a pattern. */
export function eventTypeMatches(pattern: string, type: string): boolean {
  const p = pattern.split('.');
  const t = type.split('.');
  if (matchSegments(p, t)) return true;
  // Without its version: a pattern that names no version follows the event into v2.
  return t.length > 1 && VERSION.test(t[t.length - 1]) && matchSegments(p, t.slice(0, -1));
}

/** The catalogue's event types a pattern matches (empty: a typo, or an event that does not exist). */
export function catalogueTypesMatching(pattern: string, types: readonly string[] = Object.keys(EVENT_CATALOGUE)): string[] {
  return types.filter((type) => eventTypeMatches(pattern, type));
}

/** Each item is a well-formed pattern that matches at least one event of the catalogue. */
export const IsEventTypePattern = () =>
  ValidateBy({
    name: 'isEventTypePattern',
    validator: {
      validate: (value: unknown) => eventPatternProblem(value) === undefined && catalogueTypesMatching(value as string).length > 0,
      defaultMessage: (args) => {
        // With `each`, class-validator hands over the whole array: name the first bad item.
        const items: unknown[] = Array.isArray(args?.value) ? args.value : [args?.value];
        const bad = items.find((v) => eventPatternProblem(v) !== undefined || !catalogueTypesMatching(v as string).length);
        const problem = eventPatternProblem(bad);
        return problem ? `event type pattern "${String(bad).slice(0, 60)}" ${problem}` : `event type pattern "${String(bad).slice(0, 60)}" matches no event type of the catalogue`;
      },
    },
  }, { each: true });

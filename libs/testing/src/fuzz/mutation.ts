import { FuzzOperation, Schemas } from './operations';
import { Rng } from './random';
import { DraftRequest } from './request';

export interface MutationContext {
  rng: Rng;
  schemas: Schemas;
  /** Real `Bearer …` values by actor, to tamper with. */
  bearer: Record<string, string>;
}

/** One way of spoiling a request. Findings are grouped by route and mutation name. */
export interface Mutation {
  name: string;
  applies(op: FuzzOperation): boolean;
  /** Changes the draft; returns what it did, in a few words (the variant). */
  apply(draft: DraftRequest, ctx: MutationContext): string;
}

/** Text for a finding: a value shown short, with its length when long. */
export function show(value: string, max = 40): string {
  const quoted = JSON.stringify(value.length > max ? value.slice(0, max) : value);
  return value.length > max ? `${quoted}… (${value.length} chars)` : quoted;
}

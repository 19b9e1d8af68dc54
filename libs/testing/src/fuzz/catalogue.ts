import { BODY_MUTATIONS, FILE_MUTATIONS } from './body-mutations';
import { HEADER_MUTATIONS } from './header-mutations';
import { Mutation } from './mutation';
import { FuzzOperation } from './operations';
import { Rng } from './random';
import { URL_MUTATIONS } from './url-mutations';

/** The request as generated, unspoilt: the baseline every route must answer without a 500. */
const VALID: Mutation = { name: 'valid', applies: () => true, apply: () => 'as generated from the schema' };

export const MUTATIONS: readonly Mutation[] = [VALID, ...BODY_MUTATIONS, ...FILE_MUTATIONS, ...URL_MUTATIONS, ...HEADER_MUTATIONS];

/**
 * Which operation and mutation request N gets. Rounds of one request per operation (in a seeded
 * order per round); each operation walks its own seeded list of the mutations that apply to it, so
 * after as many rounds as its longest list every pair has been sent, and a short pass still
 * touches every operation and every mutation. A pure function of the seed and N.
 */
export class Schedule {
  private readonly perOp: Mutation[][];
  private cachedRound = -1;
  private order: number[] = [];

  constructor(
    readonly operations: readonly FuzzOperation[],
    private readonly seed: number,
    mutations: readonly Mutation[] = MUTATIONS,
  ) {
    if (!operations.length) throw new Error('no operations to fuzz');
    this.perOp = operations.map((op, i) => new Rng(seed ^ Math.imul(i + 1, 0x27d4eb2d)).shuffle(mutations.filter((m) => m.applies(op))));
  }

  /** Requests until every applicable (operation, mutation) pair has been sent once. */
  get fullCoverage(): number {
    return Math.max(...this.perOp.map((m) => m.length)) * this.operations.length;
  }

  at(index: number): { op: FuzzOperation; mutation: Mutation } {
    const round = Math.floor(index / this.operations.length);
    if (round !== this.cachedRound) {
      this.order = Rng.of(this.seed, -1 - round).shuffle(this.operations.map((_, i) => i));
      this.cachedRound = round;
    }
    const opIndex = this.order[index % this.operations.length];
    const list = this.perOp[opIndex];
    return { op: this.operations[opIndex], mutation: list[round % list.length] };
  }
}

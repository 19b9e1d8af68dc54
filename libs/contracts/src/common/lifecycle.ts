/**
 * The one shape both lifecycles (permit applications, complaints) are written in: a table of
 * transitions, each from some statuses, by an action, to a status, taken by one of some kinds of
 * actor. `to` may depend on the record (`C`: an application's fee decides whether approval waits for
 * payment). The services decide with it; tests and the API documentation read it.
 */
export interface TransitionRow<S extends string, A extends string, K extends string, C = never> {
  action: A;
  from: readonly S[];
  to: S | ((context: C) => S);
  by: readonly K[];
}

export class Lifecycle<S extends string, A extends string, K extends string, C = never> {
  constructor(
    readonly statuses: readonly S[],
    readonly actions: readonly A[],
    readonly transitions: readonly TransitionRow<S, A, K, C>[],
  ) {
    const seen = new Set<string>();
    for (const t of transitions) {
      if (!actions.includes(t.action)) throw new Error(`lifecycle: unknown action ${t.action}`);
      for (const from of t.from) {
        if (!statuses.includes(from)) throw new Error(`lifecycle: unknown status ${from}`);
        const key = `${t.action}:${from}`;
        if (seen.has(key)) throw new Error(`lifecycle: two transitions for ${key}`);
        seen.add(key);
      }
      if (typeof t.to === 'string' && !statuses.includes(t.to)) throw new Error(`lifecycle: unknown status ${t.to}`);
    }
  }

  /** The transition an action takes from a status, if there is one. */
  find(action: A, from: S): TransitionRow<S, A, K, C> | undefined {
    return this.transitions.find((t) => t.action === action && t.from.includes(from));
  }

  /** Where a transition leads for this record. */
  target(t: TransitionRow<S, A, K, C>, ...context: [C] extends [never] ? [] : [C]): S {
    return typeof t.to === 'function' ? t.to(context[0] as C) : t.to;
  }

  /** The actions open from a status (whoever may take them). */
  actionsFrom(status: S): A[] {
    return this.transitions.filter((t) => t.from.includes(status)).map((t) => t.action);
  }
}

import { AsyncLocalStorage } from "node:async_hooks";
import type { Calls } from "./calls.ts";
import type { Scope } from "./scope.ts";
import { type TransactionCounters, TransactionRunner } from "./transaction-runner.ts";

/**
 * What the scopes of one pool share: where the calling context's scope is kept, the pool's own
 * calls (where a read-only scope sends writes) and the runner of top-level transactions.
 */
export class ScopeContext {
  /** The calling async context's scope: how a call made inside one finds it. */
  readonly als = new AsyncLocalStorage<Scope>();
  readonly transactions: TransactionRunner;
  /** The pool's own calls; set by the pool right after it builds them (they need this first). */
  outside!: Calls;

  constructor(
    readonly name: string,
    busyTimeoutMs: number,
    counters: TransactionCounters,
  ) {
    this.transactions = new TransactionRunner(this, busyTimeoutMs, counters);
  }
}

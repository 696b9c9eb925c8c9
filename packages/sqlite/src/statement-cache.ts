import type { Database, Statement } from "bun:sqlite";
import { SqliteMultipleStatementsError } from "./errors.ts";

/**
 * Hit/miss counters shared by every cache of a pool, read by `stats()`.
 *
 * @example
 * ```ts
 * const { hits, misses } = db.stats().statements;
 * console.log(`statement cache hit rate ${(hits / (hits + misses)).toFixed(3)}`);
 * ```
 */
export interface StatementCounters {
  hits: number;
  misses: number;
  evictions: number;
}

interface Cached {
  statement: Statement;
  /** Second-chance bit: set on a hit, so a hit costs one lookup and no reordering. */
  used: boolean;
}

/**
 * A bounded cache of prepared statements for one connection, keyed by SQL text. Eviction is
 * CLOCK (second chance), which approximates LRU without touching the map on every hit; the
 * evicted statement is finalized so SQLite frees it.
 */
export class StatementCache {
  private readonly map = new Map<string, Cached>();

  constructor(
    private readonly db: Database,
    private readonly capacity: number,
    private readonly counters: StatementCounters,
  ) {}

  /** Statements held now. */
  get size(): number {
    return this.map.size;
  }

  /**
   * The prepared statement for `sql`, prepared on a miss.
   *
   * @throws {SqliteMultipleStatementsError} when `sql` holds more than one statement.
   * @throws the SQLite error of a statement that does not compile.
   */
  get(sql: string): Statement {
    const cached = this.map.get(sql);
    if (cached !== undefined) {
      this.counters.hits++;
      cached.used = true;
      return cached.statement;
    }
    this.counters.misses++;
    if (hasSecondStatement(sql)) throw new SqliteMultipleStatementsError(sql);
    const statement = this.db.prepare(sql);
    if (this.capacity === 0) return statement;
    if (this.map.size >= this.capacity) this.evictOne();
    this.map.set(sql, { statement, used: false });
    return statement;
  }

  /** True when statements are finalized after use instead of kept (capacity 0). */
  get disposable(): boolean {
    return this.capacity === 0;
  }

  /** Finalizes every statement: before the connection closes. */
  clear(): void {
    for (const { statement } of this.map.values()) statement.finalize();
    this.map.clear();
  }

  private evictOne(): void {
    for (;;) {
      const first = this.map.entries().next();
      if (first.done) return;
      const [sql, cached] = first.value;
      this.map.delete(sql);
      if (cached.used) {
        cached.used = false;
        this.map.set(sql, cached);
        continue;
      }
      this.counters.evictions++;
      cached.statement.finalize();
      return;
    }
  }
}

const TRIGGER = /^\s*create\s+(temp\s+|temporary\s+)?trigger\b/i;

/**
 * True when something other than whitespace and comments follows the first top-level `;`.
 * bun:sqlite's `prepare` silently drops everything after the first statement.
 */
export function hasSecondStatement(sql: string): boolean {
  // A trigger body holds `;`s of its own; SQLite reports a real second statement there anyway.
  if (TRIGGER.test(sql)) return false;
  let i = 0;
  const n = sql.length;
  let ended = false;
  while (i < n) {
    const c = sql[i];
    if (c === "-" && sql[i + 1] === "-") {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") {
      i++;
    } else if (ended && c !== ";") {
      return true;
    } else if (c === ";") {
      ended = true;
      i++;
    } else if (c === "'" || c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      let j = i + 1;
      for (;;) {
        const k = sql.indexOf(close, j);
        if (k < 0) return false; // unterminated: let SQLite report it
        if (close !== "]" && sql[k + 1] === close) j = k + 2;
        else {
          i = k + 1;
          break;
        }
      }
    } else {
      i++;
    }
  }
  return false;
}

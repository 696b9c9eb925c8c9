import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { thrownBy } from "../test/helpers.ts";
import { SqliteMultipleStatementsError } from "./errors.ts";
import { hasSecondStatement, StatementCache, type StatementCounters } from "./statement-cache.ts";

let db: Database;
let counters: StatementCounters;

beforeEach(() => {
  db = new Database(":memory:");
  counters = { hits: 0, misses: 0, evictions: 0 };
});

afterEach(() => {
  db.close();
});

describe("StatementCache", () => {
  it("prepares once and reuses the statement", () => {
    const cache = new StatementCache(db, 4, counters);
    const a = cache.get("select 1 as one");
    expect(cache.get("select 1 as one")).toBe(a);
    expect(counters).toEqual({ hits: 1, misses: 1, evictions: 0 });
  });

  it("stays within its capacity, evicting a statement not used since the last sweep", () => {
    const cache = new StatementCache(db, 2, counters);
    const hot = cache.get("select 1");
    const cold = cache.get("select 2");
    cache.get("select 1"); // marks it used
    cache.get("select 3"); // evicts "select 2", the unused one
    expect(cache.size).toBe(2);
    expect(counters.evictions).toBe(1);
    expect(cache.get("select 1")).toBe(hot);
    expect(thrownBy(() => cold.get()).message).toContain("finalized");
  });

  it("prepares every time with capacity 0", () => {
    const cache = new StatementCache(db, 0, counters);
    cache.get("select 1");
    cache.get("select 1");
    expect(cache.size).toBe(0);
    expect(counters.misses).toBe(2);
  });

  it("refuses SQL with a second statement", () => {
    const cache = new StatementCache(db, 2, counters);
    const error = thrownBy(() => cache.get("select 1; select 2"));
    expect(error).toBeInstanceOf(SqliteMultipleStatementsError);
    expect(error.code).toBe("SQLITE_MULTIPLE_STATEMENTS");
  });

  it("finalizes everything on clear()", () => {
    const cache = new StatementCache(db, 2, counters);
    const s = cache.get("select 1");
    cache.clear();
    expect(cache.size).toBe(0);
    expect(thrownBy(() => s.get()).message).toContain("finalized");
  });
});

describe("hasSecondStatement", () => {
  it("sees statements after the first semicolon, ignoring strings and comments", () => {
    expect(hasSecondStatement("select 1")).toBe(false);
    expect(hasSecondStatement("select 1;")).toBe(false);
    expect(hasSecondStatement("select 1; -- done\n")).toBe(false);
    expect(hasSecondStatement("select 1; /* done */ ;")).toBe(false);
    expect(hasSecondStatement("select ';x' as a")).toBe(false);
    expect(hasSecondStatement('select 1 as "a;b"')).toBe(false);
    expect(hasSecondStatement("select 'it''s; fine'")).toBe(false);
    expect(hasSecondStatement("select 1; select 2")).toBe(true);
    expect(hasSecondStatement("insert into t values (1);delete from t")).toBe(true);
    expect(hasSecondStatement("create trigger t after insert on a begin delete from b; end")).toBe(
      false,
    );
  });
});

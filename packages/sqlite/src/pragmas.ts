import type { Database } from "bun:sqlite";
import { PoolInvalidOptionError } from "@pool/core";
import { isBusy } from "./errors.ts";

/**
 * A pragma's value: numbers as is, booleans as ON/OFF, strings as keywords (`"NORMAL"`).
 *
 * @example
 * ```ts
 * new SqlitePool({ path: "app.db", pragmas: { cache_size: -64_000, temp_store: "MEMORY", trusted_schema: false } });
 * ```
 */
export type PragmaValue = string | number | boolean;

/** Pragmas the pool owns: setting them through `pragmas` would break its guarantees. */
const OWNED: Record<string, string> = {
  busy_timeout: 'use the "busyTimeoutMs" option',
  journal_mode: "the pool keeps file databases in WAL mode: readers rely on it",
  query_only: "readers are opened read-only already; the writer must write",
  locking_mode: "EXCLUSIVE locking would lock the readers and other processes out",
};

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const KEYWORD = /^[A-Za-z0-9_+-]+$/;

/**
 * Checks the `pragmas` option: names, value types, and that none is one the pool owns.
 *
 * @throws {PoolInvalidOptionError} naming `pragmas.<name>`.
 */
export function checkPragmas(pragmas: unknown): void {
  if (pragmas === null || typeof pragmas !== "object" || Array.isArray(pragmas)) {
    throw new PoolInvalidOptionError("pragmas", "must be an object of pragma names to values");
  }
  for (const [name, value] of Object.entries(pragmas)) {
    const field = `pragmas.${name}`;
    if (!NAME.test(name)) throw new PoolInvalidOptionError(field, "is not a pragma name");
    const bare = name.toLowerCase().replace(/^.*\./, "");
    const owned = Object.hasOwn(OWNED, bare) ? OWNED[bare] : undefined;
    if (owned !== undefined) throw new PoolInvalidOptionError(field, `cannot be set: ${owned}`);
    if (
      typeof value === "number"
        ? !Number.isFinite(value)
        : typeof value === "string"
          ? !KEYWORD.test(value)
          : typeof value !== "boolean"
    ) {
      throw new PoolInvalidOptionError(field, "must be a finite number, a boolean or a keyword");
    }
  }
}

/**
 * `PRAGMA journal_mode = WAL`, retried while busy. Two processes switching a new file at once
 * can deadlock on the lock upgrade, and SQLite then fails one at once instead of calling its
 * busy handler. Sleeping the thread is acceptable here: this runs once, while opening.
 */
function switchToWal(db: Database, busyTimeoutMs: number): { journal_mode?: string } | null {
  const deadline = performance.now() + busyTimeoutMs;
  for (let delayMs = 1; ; delayMs = Math.min(50, delayMs * 2)) {
    try {
      return db.query("PRAGMA journal_mode = WAL").get() as { journal_mode?: string } | null;
    } catch (error) {
      if (!isBusy(error) || performance.now() >= deadline) throw error;
      Bun.sleepSync(delayMs / 2 + Math.random() * (delayMs / 2));
    }
  }
}

function literal(value: PragmaValue): string {
  if (typeof value === "boolean") return value ? "ON" : "OFF";
  return String(value);
}

/**
 * Applies the pool's pragmas, then the user's. `busy_timeout` goes first: switching to WAL
 * takes a lock that another process may hold.
 */
export function applyPragmas(
  db: Database,
  role: "writer" | "reader",
  busyTimeoutMs: number,
  memory: boolean,
  pragmas: Record<string, PragmaValue>,
): void {
  db.run(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  if (role === "writer" && !memory) {
    const row = switchToWal(db, busyTimeoutMs);
    if (row?.journal_mode?.toLowerCase() !== "wal") {
      throw new Error(`could not switch to WAL (journal_mode is ${row?.journal_mode})`);
    }
  }
  db.run("PRAGMA synchronous = NORMAL");
  db.run("PRAGMA foreign_keys = ON");
  for (const [name, value] of Object.entries(pragmas)) db.run(`PRAGMA ${name} = ${literal(value)}`);
}

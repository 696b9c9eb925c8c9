import type { SqlitePool } from "@pool/sqlite";

/** Which nearest-neighbour search runs: sqlite-vec's `vec0` index, or a cosine scan in JS. */
export type VectorBackend = "vec0" | "js";

/** What {@link detectVec0} found. */
export type Vec0Probe = { available: true; version: string } | { available: false; reason: string };

/**
 * Whether sqlite-vec is loaded on the pool's connections: `vec_version()` must answer on the
 * writer, on a main-thread reader and through `db.get` (a Worker reader when the pool has
 * Workers). The extension loads per connection, so it takes the pool's per-connection
 * extension option; loading it on one connection by hand leaves the others with "no such
 * function" (or "no such module: vec0").
 *
 * @example
 * ```ts
 * const probe = await detectVec0(db);
 * const backend = probe.available ? "vec0" : "js";
 * ```
 */
export async function detectVec0(db: SqlitePool): Promise<Vec0Probe> {
  const sql = "select vec_version() as version";
  try {
    const writer = await db.write((conn) => conn.query<{ version: string }, []>(sql).get());
    await db.read((conn) => conn.query(sql).get());
    await db.get(sql);
    return { available: true, version: writer?.version ?? "unknown" };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

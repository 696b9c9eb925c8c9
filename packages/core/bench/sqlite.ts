import { Database } from "bun:sqlite";
import { Pool } from "../src/index.ts";

const SQL = "select * from users where id = ?";
const BLOCK = 10_000;

/** Creates the lookup table: 100k users in WAL mode. */
export function seed(path: string): void {
  const db = new Database(path, { create: true });
  db.run("pragma journal_mode = wal");
  db.run(
    "create table users (id integer primary key, name text, email text, plan text, created_at integer)",
  );
  const insert = db.prepare("insert into users values (?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < 100_000; i++)
      insert.run(i, `user ${i}`, `user${i}@example.com`, i % 3 ? "free" : "pro", i);
  })();
  db.close();
}

/**
 * Raw lookups, awaited raw lookups and `pool.use()` lookups in alternating blocks, so all see
 * the same machine weather; ratios are taken per block against the mean of the raw blocks either
 * side. The awaited raw lookup separates what any promise-returning API costs (one `await`)
 * from what the pool itself adds.
 */
export async function lookups(path: string, ops: number) {
  const raw = new Database(path, { readonly: true });
  const pool = new Pool<Database>({
    create: () => new Database(path, { readonly: true }),
    destroy: (db) => db.close(),
    max: 1,
  });
  let checksum = 0;
  const rawBlock = () => {
    const start = Bun.nanoseconds();
    for (let i = 0; i < BLOCK; i++)
      checksum += (raw.query(SQL).get((i * 7_919) % 100_000) as { id: number }).id;
    return (Bun.nanoseconds() - start) / BLOCK / 1_000;
  };
  const awaitedBlock = async () => {
    const start = Bun.nanoseconds();
    for (let i = 0; i < BLOCK; i++) {
      const row = await (raw.query(SQL).get((i * 7_919) % 100_000) as { id: number });
      checksum += row.id;
    }
    return (Bun.nanoseconds() - start) / BLOCK / 1_000;
  };
  const pooledBlock = async () => {
    const start = Bun.nanoseconds();
    for (let i = 0; i < BLOCK; i++) {
      const row = await pool.use(
        (db) => db.query(SQL).get((i * 7_919) % 100_000) as { id: number },
      );
      checksum += row.id;
    }
    return (Bun.nanoseconds() - start) / BLOCK / 1_000;
  };
  for (let i = 0; i < 5; i++) {
    rawBlock();
    await awaitedBlock();
    await pooledBlock();
  }
  const raws: number[] = [];
  const awaited: number[] = [];
  const pooled: number[] = [];
  const ratios: number[] = [];
  const awaitedRatios: number[] = [];
  let before = rawBlock();
  for (let i = 0; i < Math.max(1, Math.floor(ops / BLOCK / 2)); i++) {
    const a = await awaitedBlock();
    const p = await pooledBlock();
    const after = rawBlock();
    const base = (before + after) / 2;
    raws.push(before);
    awaited.push(a);
    pooled.push(p);
    ratios.push(p / base);
    awaitedRatios.push(a / base);
    before = after;
  }
  raw.close();
  await pool.close();
  return { raws, awaited, pooled, ratios, awaitedRatios, checksum };
}

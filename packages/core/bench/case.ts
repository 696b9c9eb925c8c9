/**
 * Runs one benchmark case in a process of its own, so every contender gets monomorphic call
 * sites and its own heap, as it would in a real application. Prints one JSON line.
 * Usage: bun bench/case.ts <sequential|contended> <contender> <ops> | bun bench/case.ts sqlite <db> <ops>
 */
import { Database } from "bun:sqlite";
import { Pool } from "../src/index.ts";
import { contenders } from "./contenders.ts";

export const WAITERS = 100;
export const POOL_SIZE = 4;

async function sequential(name: string, ops: number): Promise<number> {
  const pool = contenders[name]!(POOL_SIZE);
  const start = Bun.nanoseconds();
  for (let i = 0; i < ops; i++) pool.release(await pool.acquire());
  const us = (Bun.nanoseconds() - start) / ops / 1_000;
  await pool.close();
  return us;
}

async function contended(name: string, ops: number): Promise<number> {
  const pool = contenders[name]!(POOL_SIZE);
  const perWaiter = Math.ceil(ops / WAITERS);
  const worker = async () => {
    for (let i = 0; i < perWaiter; i++) pool.release(await pool.acquire());
  };
  const start = Bun.nanoseconds();
  await Promise.all(Array.from({ length: WAITERS }, worker));
  const us = (Bun.nanoseconds() - start) / (perWaiter * WAITERS) / 1_000;
  await pool.close();
  return us;
}

/**
 * Raw lookups and pooled lookups in alternating blocks, so both see the same machine weather;
 * the ratio is taken per block (pooled against the mean of the raw blocks either side).
 */
async function sqlite(path: string, ops: number) {
  const SQL = "select * from users where id = ?";
  const raw = new Database(path, { readonly: true });
  const pool = new Pool<Database>({
    create: () => new Database(path, { readonly: true }),
    destroy: (db) => db.close(),
    max: 1,
  });
  let checksum = 0;
  const BLOCK = 10_000;
  const rawBlock = () => {
    const start = Bun.nanoseconds();
    for (let i = 0; i < BLOCK; i++)
      checksum += (raw.query(SQL).get((i * 7_919) % 100_000) as { id: number }).id;
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
    await pooledBlock();
  }
  const raws: number[] = [];
  const pooled: number[] = [];
  const ratios: number[] = [];
  let before = rawBlock();
  for (let i = 0; i < Math.max(1, Math.floor(ops / BLOCK)); i++) {
    const p = await pooledBlock();
    const after = rawBlock();
    raws.push(before);
    pooled.push(p);
    ratios.push(p / ((before + after) / 2));
    before = after;
  }
  raw.close();
  await pool.close();
  return { rawUs: median(raws), pooledUs: median(pooled), ratio: median(ratios), checksum };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

if (import.meta.main) {
  const [kind, arg, opsText] = process.argv.slice(2);
  const ops = Number(opsText);
  if (kind === "sqlite") {
    console.log(JSON.stringify(await sqlite(arg!, ops)));
  } else {
    const run = kind === "sequential" ? sequential : contended;
    await run(arg!, Math.ceil(ops / 5)); // warm up the JIT
    console.log(JSON.stringify({ us: await run(arg!, ops) }));
  }
}

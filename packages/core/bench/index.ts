/**
 * `bun run bench`: @pool/core against tarn and generic-pool, side by side in one run, with
 * default options, around a trivial resource (acquire+release sequentially, and with 100
 * concurrent waiters on a pool of 4); and `pool.use()` around a bun:sqlite point lookup against
 * the raw lookup.
 *
 * These 2-core machines are shared and their speed drifts by up to 2x within seconds, so every
 * comparison is made within a round: each round runs every contender back to back (order rotated
 * per round), each contender with its own copy of the measured loops (see loops.ts), and the
 * reported ratio is the median of the per-round ratios. Prints a table and writes the same as
 * JSON to bench/results/core.json.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BenchPool, contenders } from "./contenders.ts";
import { POOL_SIZE, WAITERS } from "./loops.ts";
import { lookups, seed } from "./sqlite.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const OPS = Number(process.env.BENCH_OPS ?? 50_000);
const SQLITE_OPS = Number(process.env.BENCH_SQLITE_OPS ?? 400_000);

type Loops = typeof import("./loops.ts");
type Scenario = "sequential" | "contended";
const SCENARIOS: Scenario[] = ["sequential", "contended"];
const names = Object.keys(contenders);
const OURS = "@pool/core";

const loops = new Map<string, Loops>();
for (const name of names) loops.set(name, await import(`./loops.ts?${encodeURIComponent(name)}`));

async function measure(name: string, scenario: Scenario, ops: number): Promise<number> {
  const pool: BenchPool = contenders[name]!(POOL_SIZE);
  const us = await loops.get(name)![scenario](pool, ops);
  await pool.close();
  return us;
}

// The SQLite comparison first, on a fresh heap: the pool rounds leave garbage behind.
const dir = mkdtempSync(join(tmpdir(), "pool-core-bench-"));
const dbPath = join(dir, "bench.db");
seed(dbPath);
const sqlite = await lookups(dbPath, SQLITE_OPS);
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Warm every copy of the loops up before anything is recorded.
for (const scenario of SCENARIOS) for (const name of names) await measure(name, scenario, OPS);

const us = new Map<string, number[]>(); // `${scenario}|${name}` → µs/op per round
const ratio = new Map<string, number[]>(); // `${scenario}|${name}` → its µs ÷ ours, per round
for (let round = 0; round < ROUNDS; round++) {
  process.stderr.write(`round ${round + 1}/${ROUNDS}\r`);
  for (const scenario of SCENARIOS) {
    const got = new Map<string, number>();
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      got.set(name, await measure(name, scenario, OPS));
    }
    for (const [name, value] of got) {
      const key = `${scenario}|${name}`;
      us.set(key, [...(us.get(key) ?? []), value]);
      ratio.set(key, [...(ratio.get(key) ?? []), value / got.get(OURS)!]);
    }
  }
}

const rows: Record<string, string | number>[] = [];
for (const scenario of SCENARIOS) {
  for (const name of names) {
    const key = `${scenario}|${name}`;
    rows.push({
      case:
        scenario === "sequential"
          ? "acquire+release, sequential"
          : `acquire+release, ${WAITERS} waiters on ${POOL_SIZE}`,
      pool: name,
      "µs/op (median)": Number(median(us.get(key)!).toFixed(3)),
      "÷ @pool/core (median of rounds)": Number(median(ratio.get(key)!).toFixed(2)),
    });
  }
}
const rawUs = median(sqlite.raws);
const pooledUs = median(sqlite.pooled);
const blockRatio = median(sqlite.ratios);
const awaitedRatio = median(sqlite.awaitedRatios);
rows.push({
  case: "bun:sqlite point lookup",
  pool: "raw db.query().get()",
  "µs/op (median)": Number(rawUs.toFixed(3)),
});
rows.push({
  case: "bun:sqlite point lookup",
  pool: "await raw db.query().get()",
  "µs/op (median)": Number(median(sqlite.awaited).toFixed(3)),
});
rows.push({
  case: "bun:sqlite point lookup",
  pool: "pool.use() around it",
  "µs/op (median)": Number(pooledUs.toFixed(3)),
  "÷ @pool/core (median of rounds)": "",
});

const speedup = (scenario: Scenario, name: string) => median(ratio.get(`${scenario}|${name}`)!);
const summary = {
  vsGenericPool: {
    sequential: speedup("sequential", "generic-pool"),
    contended: speedup("contended", "generic-pool"),
  },
  vsTarn: { sequential: speedup("sequential", "tarn"), contended: speedup("contended", "tarn") },
  vsBareFifo: {
    sequential: speedup("sequential", "bare FIFO (reference)"),
    contended: speedup("contended", "bare FIFO (reference)"),
  },
  sqlite: {
    rawUs,
    pooledUs,
    blockRatio,
    overheadUs: (blockRatio - 1) * rawUs,
    overheadPct: (blockRatio - 1) * 100,
    // What the pool adds beyond the one `await` any promise-returning call costs.
    poolOnlyUs: (blockRatio - awaitedRatio) * rawUs,
    poolOnlyPct: (blockRatio / awaitedRatio - 1) * 100,
  },
};

console.log(`\n@pool/core benchmark: Bun ${Bun.version}, ${ROUNDS} rounds × ${OPS} ops per case\n`);
console.table(rows);
const x = (n: number) => `${n.toFixed(1)}×`;
console.log(
  `@pool/core vs generic-pool: ${x(summary.vsGenericPool.sequential)} faster sequential, ${x(summary.vsGenericPool.contended)} contended (target ≥ 3×)`,
);
console.log(
  `@pool/core vs tarn:         ${x(summary.vsTarn.sequential)} faster sequential, ${x(summary.vsTarn.contended)} contended (target ≥ 10×)`,
);
console.log(
  `pool.use() adds ${summary.sqlite.overheadPct.toFixed(1)}% (${summary.sqlite.overheadUs.toFixed(3)} µs) to a ${rawUs.toFixed(2)} µs synchronous lookup, ` +
    `${summary.sqlite.poolOnlyPct.toFixed(1)}% (${summary.sqlite.poolOnlyUs.toFixed(3)} µs) to an awaited one ` +
    "(medians of per-block ratios; target < 5% of 5.6 µs = 0.28 µs)",
);

const resultsDir = join(import.meta.dir, "results");
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, "core.json");
await Bun.write(
  file,
  JSON.stringify(
    {
      bun: Bun.version,
      date: new Date().toISOString(),
      rounds: ROUNDS,
      ops: OPS,
      table: rows,
      summary,
      perRound: { us: Object.fromEntries(us), ratio: Object.fromEntries(ratio) },
      sqlite,
    },
    null,
    2,
  ),
);
console.log(`\nwrote ${file}`);

/**
 * `bun run bench`: @pool/core against tarn and generic-pool, side by side in one run, with
 * default options, around a trivial resource (acquire+release sequentially, and with 100
 * concurrent waiters on a pool of 4); and `pool.use()` around a bun:sqlite point lookup against
 * the raw lookup. Each case runs in a process of its own (see case.ts); rounds interleave the
 * cases in a rotated order and the median round is reported, because these machines are shared
 * and noisy. Prints a table of µs/op and ratios and writes the same as JSON to
 * bench/results/core.json.
 */
import { Database } from "bun:sqlite";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, POOL_SIZE, WAITERS } from "./case.ts";
import { contenders } from "./contenders.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const OPS = Number(process.env.BENCH_OPS ?? 300_000);
const SQLITE_OPS = Number(process.env.BENCH_SQLITE_OPS ?? 300_000);

const dir = mkdtempSync(join(tmpdir(), "pool-core-bench-"));
const dbPath = join(dir, "bench.db");
{
  const db = new Database(dbPath, { create: true });
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

async function runCase(args: string[]): Promise<Record<string, number>> {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "case.ts"), ...args], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`bench case ${args.join(" ")} failed`);
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

type Case = { key: string; args: string[] };
const names = Object.keys(contenders);
const cases: Case[] = [
  ...names.flatMap((name) => [
    { key: `sequential|${name}`, args: ["sequential", name, String(OPS)] },
    { key: `contended|${name}`, args: ["contended", name, String(OPS)] },
  ]),
  { key: "sqlite", args: ["sqlite", dbPath, String(SQLITE_OPS)] },
];

const samples = new Map<string, Record<string, number>[]>(cases.map((c) => [c.key, []]));
for (let round = 0; round < ROUNDS; round++) {
  process.stderr.write(`round ${round + 1}/${ROUNDS}\r`);
  for (let i = 0; i < cases.length; i++) {
    const c = cases[(i + round) % cases.length]!;
    samples.get(c.key)!.push(await runCase(c.args));
  }
}
const med = (key: string, field = "us") => median(samples.get(key)!.map((s) => s[field]!));

const rows: Record<string, string | number>[] = [];
for (const scenario of ["sequential", "contended"] as const) {
  const ours = med(`${scenario}|@pool/core`);
  for (const name of names) {
    const v = med(`${scenario}|${name}`);
    rows.push({
      case:
        scenario === "sequential"
          ? "acquire+release, sequential"
          : `acquire+release, ${WAITERS} waiters on ${POOL_SIZE}`,
      pool: name,
      "µs/op": Number(v.toFixed(3)),
      "÷ @pool/core": Number((v / ours).toFixed(2)),
    });
  }
}
const rawUs = med("sqlite", "rawUs");
const pooledUs = med("sqlite", "pooledUs");
const ratio = med("sqlite", "ratio");
rows.push({
  case: "bun:sqlite point lookup",
  pool: "raw db.query().get()",
  "µs/op": Number(rawUs.toFixed(3)),
  "÷ @pool/core": "",
});
rows.push({
  case: "bun:sqlite point lookup",
  pool: "pool.use() around it",
  "µs/op": Number(pooledUs.toFixed(3)),
  "÷ @pool/core": "",
});

const speedup = (scenario: string, name: string) =>
  med(`${scenario}|${name}`) / med(`${scenario}|@pool/core`);
const summary = {
  vsGenericPool: {
    sequential: speedup("sequential", "generic-pool"),
    contended: speedup("contended", "generic-pool"),
  },
  vsTarn: { sequential: speedup("sequential", "tarn"), contended: speedup("contended", "tarn") },
  sqlite: {
    rawUs,
    pooledUs,
    blockRatio: ratio,
    overheadUs: (ratio - 1) * rawUs,
    overheadPct: (ratio - 1) * 100,
  },
};

console.log(
  `\n@pool/core benchmark: Bun ${Bun.version}, ${ROUNDS} rounds, ${OPS} ops per case, median round\n`,
);
console.table(rows);
const x = (n: number) => `${n.toFixed(1)}×`;
console.log(
  `@pool/core vs generic-pool: ${x(summary.vsGenericPool.sequential)} faster sequential, ${x(summary.vsGenericPool.contended)} contended (target ≥ 3×)`,
);
console.log(
  `@pool/core vs tarn:         ${x(summary.vsTarn.sequential)} faster sequential, ${x(summary.vsTarn.contended)} contended (target ≥ 10×)`,
);
console.log(
  `pool.use() adds ${summary.sqlite.overheadPct.toFixed(1)}% (${summary.sqlite.overheadUs.toFixed(3)} µs) to a ${rawUs.toFixed(2)} µs lookup ` +
    `(median of per-block ratios against neighbouring raw blocks; target < 5% of 5.6 µs = 0.28 µs)`,
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
      samples: Object.fromEntries(samples),
    },
    null,
    2,
  ),
);
console.log(`\nwrote ${file}`);
rmSync(dir, { recursive: true, force: true });

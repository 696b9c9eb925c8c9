/**
 * `bun run bench` in packages/sqlite. Four comparisons, each side by side in one run with
 * interleaved rounds (the machine is shared), reporting medians:
 *  1. a primary-key lookup: pooled `db.get()` vs raw `db.query().get()` on one connection vs
 *     opening a connection per query; and `db.read(fn)` around it vs the raw lookup awaited;
 *  2. 8 heavy reads at once: main thread vs `workers: 2`, with the event-loop lag each causes;
 *  3. write throughput of 4 processes doing read-then-write transactions on one file;
 *  4. off-thread readers: the round trip of a small read (main thread, reader process, and a
 *     plain Bun Worker as the old path did it), and what stopping a runaway query costs: from
 *     the timeout to the process being gone, and to its replacement answering.
 * Prints a table and writes bench/results/sqlite.json.
 */
import { Database } from "bun:sqlite";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqlitePool } from "../src/index.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
/** `BENCH_ONLY=lookup,heavy,writes,offthread` runs a subset. */
const ONLY = new Set((process.env.BENCH_ONLY ?? "lookup,heavy,writes,offthread").split(","));
const dir = mkdtempSync(join(tmpdir(), "pool-sqlite-bench-"));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

function seed(path: string, rows: number): void {
  const db = new Database(path);
  db.run("PRAGMA journal_mode = WAL");
  db.run("create table users(id integer primary key, name text not null, email text not null)");
  db.transaction(() => {
    const insert = db.prepare("insert into users values (?, ?, ?)");
    for (let i = 1; i <= rows; i++) insert.run(i, `user ${i}`, `user${i}@example.com`);
  })();
  db.close();
}

// ---- 1. primary-key lookup ------------------------------------------------------------------

async function lookups() {
  const path = join(dir, "lookup.db");
  const ROWS = 10_000;
  seed(path, ROWS);
  const sql = "select id, name, email from users where id = ?";
  const raw = new Database(path, { readonly: true });
  const pool = new SqlitePool({ path });
  const BATCH = 20_000;
  const OPEN_BATCH = 1_000;
  let sink = 0;
  const nsPerOp = {
    raw: [] as number[],
    pooled: [] as number[],
    openPerQuery: [] as number[],
    rawAwaited: [] as number[],
    readFn: [] as number[],
  };
  const runRaw = () => {
    const t = Bun.nanoseconds();
    for (let i = 0; i < BATCH; i++)
      sink += (raw.query(sql).get((i % ROWS) + 1) as { id: number }).id;
    return (Bun.nanoseconds() - t) / BATCH;
  };
  const runPooled = async () => {
    const t = Bun.nanoseconds();
    for (let i = 0; i < BATCH; i++)
      sink += ((await pool.get(sql, [(i % ROWS) + 1])) as { id: number }).id;
    return (Bun.nanoseconds() - t) / BATCH;
  };
  // `db.read(fn)` around the same lookup, against the raw lookup awaited as the caller would.
  const runRawAwaited = async () => {
    const t = Bun.nanoseconds();
    for (let i = 0; i < BATCH; i++)
      sink += ((await raw.query(sql).get((i % ROWS) + 1)) as { id: number }).id;
    return (Bun.nanoseconds() - t) / BATCH;
  };
  const runReadFn = async () => {
    const t = Bun.nanoseconds();
    for (let i = 0; i < BATCH; i++) {
      const id = (i % ROWS) + 1;
      sink += ((await pool.read((conn) => conn.query(sql).get(id))) as { id: number }).id;
    }
    return (Bun.nanoseconds() - t) / BATCH;
  };
  const runOpen = () => {
    const t = Bun.nanoseconds();
    for (let i = 0; i < OPEN_BATCH; i++) {
      const db = new Database(path, { readonly: true });
      sink += (db.query(sql).get((i % ROWS) + 1) as { id: number }).id;
      db.close();
    }
    return (Bun.nanoseconds() - t) / OPEN_BATCH;
  };
  // Warm-up: JIT, page cache, statement caches.
  runRaw();
  await runPooled();
  await runRawAwaited();
  await runReadFn();
  runOpen();
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order so neither side always runs first in a round.
    if (r % 2 === 0) {
      nsPerOp.raw.push(runRaw());
      nsPerOp.pooled.push(await runPooled());
      nsPerOp.rawAwaited.push(await runRawAwaited());
      nsPerOp.readFn.push(await runReadFn());
    } else {
      nsPerOp.readFn.push(await runReadFn());
      nsPerOp.rawAwaited.push(await runRawAwaited());
      nsPerOp.pooled.push(await runPooled());
      nsPerOp.raw.push(runRaw());
    }
    nsPerOp.openPerQuery.push(runOpen());
  }
  raw.close();
  await pool.close();
  if (sink === 0) console.log("unreachable");
  const raw50 = median(nsPerOp.raw);
  const pooled50 = median(nsPerOp.pooled);
  const open50 = median(nsPerOp.openPerQuery);
  const perRound = nsPerOp.pooled.map((p, i) => p / (nsPerOp.raw[i] as number));
  const readPerRound = nsPerOp.readFn.map((p, i) => p / (nsPerOp.rawAwaited[i] as number));
  const rawAwaited50 = median(nsPerOp.rawAwaited);
  const readFn50 = median(nsPerOp.readFn);
  return {
    rawNs: Math.round(raw50),
    pooledNs: Math.round(pooled50),
    openPerQueryNs: Math.round(open50),
    pooledOverRaw: round2(pooled50 / raw50),
    pooledOverRawPerRoundMedian: round2(median(perRound)),
    openOverPooled: round1(open50 / pooled50),
    rawAwaitedNs: Math.round(rawAwaited50),
    readFnNs: Math.round(readFn50),
    readFnOverRawAwaited: round2(readFn50 / rawAwaited50),
    readFnOverRawAwaitedPerRoundMedian: round2(median(readPerRound)),
    rounds: ROUNDS,
  };
}

// ---- 2. heavy reads: main thread vs Workers -------------------------------------------------

const HEAVY = `with recursive c(x) as (select 1 union all select x + 1 from c where x < ?)
  select count(*) as n, sum(x * x % 7) as s from c`;

async function heavyRound(db: SqlitePool, size: number) {
  let last = performance.now();
  let maxLagMs = 0;
  const INTERVAL = 1;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxLagMs = Math.max(maxLagMs, now - last - INTERVAL);
    last = now;
  }, INTERVAL);
  await Bun.sleep(10);
  maxLagMs = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: 8 }, () => db.get(HEAVY, [size])));
  const elapsedMs = performance.now() - t;
  await Bun.sleep(10);
  clearInterval(ticker);
  return { elapsedMs, maxLagMs };
}

async function heavyReads() {
  const path = join(dir, "heavy.db");
  seed(path, 10);
  const main = new SqlitePool({ path, workers: 0 });
  const workers = new SqlitePool({ path, workers: 2 });
  // Size one query to about 60 ms on the main thread.
  await main.get(HEAVY, [100_000]);
  const t = performance.now();
  await main.get(HEAVY, [400_000]);
  const size = Math.round((400_000 * 60) / (performance.now() - t));
  await Promise.all([workers.get(HEAVY, [10_000]), workers.get(HEAVY, [10_000])]);
  const queryMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const q = performance.now();
    await main.get(HEAVY, [size]);
    queryMs.push(performance.now() - q);
  }
  const rounds = Math.max(3, Math.round(ROUNDS / 3));
  const m = { elapsed: [] as number[], lag: [] as number[] };
  const w = { elapsed: [] as number[], lag: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const a = await heavyRound(main, size);
    const b = await heavyRound(workers, size);
    m.elapsed.push(a.elapsedMs);
    m.lag.push(a.maxLagMs);
    w.elapsed.push(b.elapsedMs);
    w.lag.push(b.maxLagMs);
  }
  await main.close();
  await workers.close();
  const mainMs = median(m.elapsed);
  const workersMs = median(w.elapsed);
  return {
    oneQueryMs: round1(median(queryMs)),
    mainThreadMs: round1(mainMs),
    mainThreadMaxLagMs: round1(median(m.lag)),
    workersMs: round1(workersMs),
    workersMaxLagMs: round1(median(w.lag)),
    speedup: round2(mainMs / workersMs),
    rounds,
  };
}

// ---- 3. four processes writing ------------------------------------------------------------

async function processWrites() {
  const results: {
    processes: number;
    txPerProcess: number;
    totalTx: number;
    ms: number;
    txPerSec: number;
    errors: number;
    busyRetries: number;
  }[] = [];
  const rounds = Math.max(3, Math.round(ROUNDS / 5));
  const runs: { one: number[]; four: number[]; errors: number; busyRetries: number } = {
    one: [],
    four: [],
    errors: 0,
    busyRetries: 0,
  };
  const TX = 2_000;
  for (let r = 0; r < rounds; r++) {
    for (const processes of [1, 4]) {
      const path = join(dir, `writes-${r}-${processes}.db`);
      const tx = processes === 1 ? TX * 4 : TX;
      const startAt = Date.now() + 1_000;
      const children = Array.from({ length: processes }, (_, id) =>
        Bun.spawn(
          [
            "bun",
            join(import.meta.dir, "write-process.ts"),
            path,
            String(id),
            String(tx),
            String(startAt),
          ],
          {
            stdout: "pipe",
            stderr: "inherit",
          },
        ),
      );
      const outputs = await Promise.all(children.map((c) => new Response(c.stdout).text()));
      const reports = outputs.map(
        (o) => JSON.parse(o) as { start: number; end: number; errors: number; busyRetries: number },
      );
      const ms = Math.max(...reports.map((x) => x.end)) - Math.min(...reports.map((x) => x.start));
      (processes === 1 ? runs.one : runs.four).push((processes * tx * 1000) / ms);
      if (processes === 4) {
        runs.errors += reports.reduce((n, x) => n + x.errors, 0);
        runs.busyRetries += reports.reduce((n, x) => n + x.busyRetries, 0);
      }
      rmSync(path, { force: true });
      rmSync(`${path}-wal`, { force: true });
      rmSync(`${path}-shm`, { force: true });
    }
  }
  for (const [processes, list] of [
    [1, runs.one],
    [4, runs.four],
  ] as const) {
    const txPerSec = median(list);
    const tx = processes === 1 ? TX * 4 : TX;
    results.push({
      processes,
      txPerProcess: tx,
      totalTx: processes * tx,
      ms: Math.round((processes * tx * 1000) / txPerSec),
      txPerSec: Math.round(txPerSec),
      errors: processes === 4 ? runs.errors : 0,
      busyRetries: processes === 4 ? runs.busyRetries : 0,
    });
  }
  return { rounds, results };
}

// ---- 4. off-thread readers: round trip, and the cost of stopping a query -----------------------

async function offThread() {
  const path = join(dir, "offthread.db");
  const ROWS = 10_000;
  seed(path, ROWS);
  const sql = "select id, name, email from users where id = ?";
  const main = new SqlitePool({ path });
  const proc = new SqlitePool({ path, workers: 1 });
  const worker = new Worker(join(import.meta.dir, "worker-reader-echo.ts"));
  let answer: ((row: unknown) => void) | undefined;
  worker.onmessage = (e: MessageEvent<{ row: unknown }>) => answer?.(e.data.row);
  const askWorker = (id: number, first = false) =>
    new Promise((resolve) => {
      answer = resolve;
      worker.postMessage({ path: first ? path : undefined, id, sql, params: [id] });
    });
  await askWorker(1, true);
  const BATCH = 5_000;
  let sink = 0;
  const time = async (read: (id: number) => Promise<unknown>) => {
    const t = Bun.nanoseconds();
    for (let i = 0; i < BATCH; i++) sink += ((await read((i % ROWS) + 1)) as { id: number }).id;
    return (Bun.nanoseconds() - t) / BATCH / 1_000;
  };
  const sides = {
    main: (id: number) => main.get(sql, [id]),
    process: (id: number) => proc.get(sql, [id]),
    worker: (id: number) => askWorker(id),
  };
  const us = { main: [] as number[], process: [] as number[], worker: [] as number[] };
  for (const read of Object.values(sides)) await time(read); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const order = (Object.keys(sides) as (keyof typeof sides)[]).slice();
    if (r % 2) order.reverse();
    for (const side of order) us[side].push(await time(sides[side]));
  }
  worker.terminate();
  await main.close();
  await proc.close();
  if (sink === 0) console.log("unreachable");

  // Stopping a runaway query: timeout → SIGKILL → reaped, and → a new reader answering.
  const FOREVER =
    "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c";
  const stoppable = new SqlitePool({ path, workers: 1, workerQueryTimeoutMs: 100 });
  await stoppable.get("select 1");
  const goneMs: number[] = [];
  const replacedMs: number[] = [];
  const stopRounds = Math.max(3, Math.round(ROUNDS / 3));
  for (let r = 0; r < stopRounds; r++) {
    const pid = stoppable.stats().workers?.pids[0] as number;
    await stoppable.get(FOREVER).catch(() => {});
    const t = performance.now();
    const answered = stoppable.get("select 1").then(() => performance.now() - t);
    for (;;) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await Bun.sleep(1);
    }
    goneMs.push(performance.now() - t);
    replacedMs.push(await answered);
  }
  const { killed } = stoppable.stats().workers ?? { killed: 0 };
  await stoppable.close();
  const m = { main: median(us.main), process: median(us.process), worker: median(us.worker) };
  return {
    roundTripUs: {
      mainThread: round1(m.main),
      readerProcess: round1(m.process),
      bunWorker: round1(m.worker),
    },
    processOverWorker: round2(m.process / m.worker),
    timeoutToGoneMs: round1(median(goneMs)),
    timeoutToReplacementAnsweredMs: round1(median(replacedMs)),
    killed,
    rounds: ROUNDS,
    stopRounds,
  };
}

// ---- report -------------------------------------------------------------------------------

try {
  console.log(
    `@pool/sqlite bench: Bun ${Bun.version}, SQLite ${(new Database(":memory:").query("select sqlite_version() as v").get() as { v: string }).v}, ${ROUNDS} rounds\n`,
  );
  const lookup = ONLY.has("lookup") ? await lookups() : undefined;
  if (lookup) {
    console.log("1. primary-key lookup (median ns per lookup)");
    console.table({
      "raw db.query().get()": { ns: lookup.rawNs, "vs raw": 1 },
      "pool.get() (awaited)": { ns: lookup.pooledNs, "vs raw": lookup.pooledOverRaw },
      "open per query": {
        ns: lookup.openPerQueryNs,
        "vs raw": round1(lookup.openPerQueryNs / lookup.rawNs),
      },
      "await raw db.query().get()": { ns: lookup.rawAwaitedNs, "vs raw": "" },
      "pool.read(fn) (awaited)": { ns: lookup.readFnNs, "vs raw": "" },
    });
    console.log(
      `   pooled/raw ${lookup.pooledOverRaw} (per-round median ${lookup.pooledOverRawPerRoundMedian}; target <= 1.15), ` +
        `open-per-query/pooled ${lookup.openOverPooled}x (target >= 8)\n` +
        `   read(fn)/awaited raw ${lookup.readFnOverRawAwaited} (per-round median ${lookup.readFnOverRawAwaitedPerRoundMedian}; target <= 1.15)\n`,
    );
  }
  const heavy = ONLY.has("heavy") ? await heavyReads() : undefined;
  if (heavy) {
    console.log(
      `2. 8 heavy reads at once (one query about ${heavy.oneQueryMs} ms; medians of ${heavy.rounds} rounds)`,
    );
    console.table({
      "main thread": { ms: heavy.mainThreadMs, "max loop lag ms": heavy.mainThreadMaxLagMs },
      "workers: 2 (reader processes)": {
        ms: heavy.workersMs,
        "max loop lag ms": heavy.workersMaxLagMs,
      },
    });
    console.log(
      `   speedup ${heavy.speedup}x (target >= 1.7), lag with workers ${heavy.workersMaxLagMs} ms (target < 10)\n`,
    );
  }
  const writes = ONLY.has("writes") ? await processWrites() : undefined;
  if (writes) {
    console.log(
      `3. read-then-write transactions through the pool, separate processes, one file (medians of ${writes.rounds} rounds)`,
    );
    console.table(
      Object.fromEntries(
        writes.results.map((r) => [
          `${r.processes} process${r.processes > 1 ? "es" : ""}`,
          {
            "tx total": r.totalTx,
            "tx/s": r.txPerSec,
            errors: r.errors,
            "busy retries (all rounds)": r.busyRetries,
          },
        ]),
      ),
    );
  }
  const offthread = ONLY.has("offthread") ? await offThread() : undefined;
  if (offthread) {
    console.log(
      `4. off-thread readers: a primary-key read's round trip (median µs over ${offthread.rounds} rounds), and stopping a runaway query (medians of ${offthread.stopRounds})`,
    );
    console.table({
      "main thread (await db.get)": { "µs per read": offthread.roundTripUs.mainThread },
      "reader process (workers: 1)": { "µs per read": offthread.roundTripUs.readerProcess },
      "Bun Worker (the old path)": { "µs per read": offthread.roundTripUs.bunWorker },
    });
    console.log(
      `   reader process / Worker ${offthread.processOverWorker}x; timeout → process gone ${offthread.timeoutToGoneMs} ms, → replacement answering ${offthread.timeoutToReplacementAnsweredMs} ms (${offthread.killed} readers killed)\n`,
    );
  }
  const report = {
    date: new Date().toISOString(),
    bun: Bun.version,
    lookup,
    heavy,
    writes,
    offthread,
  };
  mkdirSync(join(import.meta.dir, "results"), { recursive: true });
  await Bun.write(
    join(import.meta.dir, "results", "sqlite.json"),
    `${JSON.stringify(report, null, 2)}\n`,
  );
  console.log("\nwrote bench/results/sqlite.json");
} finally {
  rmSync(dir, { recursive: true, force: true });
}

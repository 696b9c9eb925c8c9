/**
 * `bun run bench` in apps/server: autocannon at 64 connections against the real server process
 * (`bun src/main.ts`), in three configurations on one seeded database:
 *
 * - `pooled`: the SqlitePool, every read on main-thread readers (`SQLITE_WORKERS=0`);
 * - `pooled+workers`: the SqlitePool with `SQLITE_WORKERS=2` (the default: `all`/`get` on reader
 *   processes, the search app's document lookups still on the main thread);
 * - `per-request`: `SQLITE_PER_REQUEST=1`, the search app's reads open and close a connection
 *   per call, as the original design did.
 *
 * Two loads each: `GET /search/documents/:id` over every document (connection cost dominates)
 * and `GET /search` over a fixed mix of queries (SQLite's FTS5 work dominates). Prints a table
 * and writes bench/results/server.json.
 *
 * Each measurement runs in rounds, the variants interleaved in a rotating order (the machine is
 * shared), and the table gives the medians. Environment: BENCH_ROUNDS (3), BENCH_DURATION_S (5),
 * BENCH_WARMUP_S (1), BENCH_CONNECTIONS (64),
 * BENCH_VARIANTS (comma list, default all), BENCH_LOADS (comma list, default both).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { type ServerProcess, startServerProcess } from "./server-process.ts";

/** The `/search` mix: rare and common words, phrases, prefixes, several words. */
export const QUERY_MIX = [
  "emancipation", // rare
  "isthmus", // rare
  "people", // common: in nearly every address
  "government", // common
  '"social security"', // phrase
  '"health care"', // phrase
  "tax*", // prefix
  "immigra*", // prefix
  "war peace", // two words, both must match
  "freedom liberty justice", // three words
];

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const VARIANTS: Record<string, Record<string, string>> = {
  pooled: { SQLITE_WORKERS: "0" },
  "pooled+workers": { SQLITE_WORKERS: "2" },
  "per-request": { SQLITE_PER_REQUEST: "1", SQLITE_WORKERS: "0" },
};

/** Small documents the bench adds (after the 233 addresses): ids 234 to 233 + SMALL_DOCUMENTS. */
const SMALL_DOCUMENTS = 200;
const SMALL_BODY = "We hold these truths to be self-evident, that all men are created equal. "
  .repeat(14)
  .trim();

const LOADS: Record<string, (i: number) => string> = {
  // Where the connection cost dominates: a ~1 KB row, a ~1.2 KB response.
  "GET /search/documents/:id": (i) => `/search/documents/${234 + (i % SMALL_DOCUMENTS)}`,
  // The addresses themselves: ~46 KB of text each, so JSON and the socket dominate.
  "GET /search/documents/:id (addresses)": (i) => `/search/documents/${(i % 233) + 1}`,
  "GET /search (query mix)": (i) =>
    `/search?q=${encodeURIComponent(QUERY_MIX[i % QUERY_MIX.length]!)}&limit=10`,
};

interface Figures {
  variant: string;
  load: string;
  requestsPerS: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  requests: number;
}

function pick(names: string | undefined, all: string[]): string[] {
  if (!names) return all;
  const wanted = names.split(",").map((s) => s.trim());
  for (const name of wanted)
    if (!all.includes(name)) throw new Error(`unknown: ${name}; one of ${all.join(" | ")}`);
  return wanted;
}

function line(f: Figures): string {
  return (
    `${f.variant.padEnd(15)} ${f.load.padEnd(38)} ${String(f.requestsPerS).padStart(7)} req/s  ` +
    `p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  errors ${f.errors}  non-2xx ${f.non2xx}`
  );
}

/** The median of each figure over rounds (errors summed: one is one too many). */
function median(rounds: Figures[]): Figures {
  const mid = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const m = sorted.length >> 1;
    return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
  };
  const first = rounds[0]!;
  return {
    variant: first.variant,
    load: first.load,
    requestsPerS: Math.round(mid(rounds.map((r) => r.requestsPerS))),
    p50Ms: mid(rounds.map((r) => r.p50Ms)),
    p99Ms: mid(rounds.map((r) => r.p99Ms)),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
    requests: rounds.reduce((sum, r) => sum + r.requests, 0),
  };
}

async function addSmallDocuments(url: string): Promise<void> {
  for (let i = 0; i < SMALL_DOCUMENTS; i++) {
    const res = await fetch(`${url}/search/documents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        title: `Small document ${i}`,
        body: SMALL_BODY,
        year: 2000 + (i % 25),
      }),
    });
    const { id } = (await res.json()) as { id: number };
    if (id !== 234 + i)
      throw new Error(`expected document id ${234 + i}, got ${id} (${res.status})`);
  }
}

async function load(url: string, path: (i: number) => string, durationS: number) {
  let i = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: durationS,
    requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: path(i++) }) }],
  });
}

async function measure(server: ServerProcess, variant: string, name: string): Promise<Figures> {
  const path = LOADS[name]!;
  if (WARMUP_S > 0) await load(server.url, path, WARMUP_S);
  const r = await load(server.url, path, DURATION_S);
  return {
    variant,
    load: name,
    requestsPerS: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    requests: r.requests.total,
  };
}

const dir = mkdtempSync(join(tmpdir(), "pool-server-bench-"));
const results: Figures[] = [];
const variants = pick(process.env.BENCH_VARIANTS, Object.keys(VARIANTS));
const loads = pick(process.env.BENCH_LOADS, Object.keys(LOADS));
const servers = new Map<string, ServerProcess>();
const perQueryResults: Array<{ query: string; p50Ms: number; total: number }> = [];
const PER_QUERY_REPS = 21;
try {
  const dbPath = join(dir, "pool.db");
  // The first server seeds the database; the others start on the seeded file. All stay up, idle
  // but for the one being measured, so the rounds can interleave the variants.
  for (const variant of variants) {
    const server = await startServerProcess({ DATABASE_PATH: dbPath, ...VARIANTS[variant] });
    servers.set(variant, server);
    if (servers.size === 1) await addSmallDocuments(server.url);
  }
  const rounds: Figures[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so no variant always runs first (or right after a warm one).
    const order = variants.map((_, k) => variants[(k + round) % variants.length]!);
    for (const name of loads) {
      for (const variant of order) {
        const figures = await measure(servers.get(variant)!, variant, name);
        rounds.push(figures);
        console.log(`round ${round + 1}  ${line(figures)}`);
      }
    }
  }
  console.log(
    `\nmedians over ${ROUNDS} round(s), ${CONNECTIONS} connections, ${DURATION_S} s each:`,
  );
  for (const name of loads) {
    for (const variant of variants) {
      const figures = median(rounds.filter((r) => r.variant === variant && r.load === name));
      results.push(figures);
      console.log(line(figures));
    }
  }
  // Where the time of /search goes: each query of the mix alone, one request at a time.
  const perQuery: Array<{ query: string; p50Ms: number; total: number }> = [];
  const pooled = servers.get(variants[0]!)!;
  console.log(`\nper query, ${variants[0]}, one at a time (median of ${PER_QUERY_REPS}):`);
  for (const query of QUERY_MIX) {
    const times: number[] = [];
    let total = 0;
    for (let k = 0; k < PER_QUERY_REPS; k++) {
      const started = performance.now();
      const res = await fetch(`${pooled.url}/search?q=${encodeURIComponent(query)}&limit=10`);
      total = ((await res.json()) as { total: number }).total;
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const p50Ms = Math.round(times[times.length >> 1]! * 100) / 100;
    perQuery.push({ query, p50Ms, total });
    console.log(`${query.padEnd(26)} ${String(p50Ms).padStart(6)} ms  (${total} documents match)`);
  }
  perQueryResults.push(...perQuery);
} finally {
  for (const server of servers.values()) await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

const ratio = (load: string, a: string, b: string) => {
  const x = results.find((r) => r.variant === a && r.load === load);
  const y = results.find((r) => r.variant === b && r.load === load);
  return x && y && y.requestsPerS > 0
    ? Math.round((x.requestsPerS / y.requestsPerS) * 100) / 100
    : undefined;
};
const summary = {
  rounds: ROUNDS,
  documentsPooledVsPerRequest: ratio("GET /search/documents/:id", "pooled", "per-request"),
  documentsDefaultVsPerRequest: ratio("GET /search/documents/:id", "pooled+workers", "per-request"),
  searchPooledVsPerRequest: ratio("GET /search (query mix)", "pooled", "per-request"),
  searchWorkersVsMainThread: ratio("GET /search (query mix)", "pooled+workers", "pooled"),
};
console.log(
  `\npooled / per-request, documents by id: ${summary.documentsPooledVsPerRequest}× (target ≥ 3×)` +
    `\npooled+workers (the default) / per-request, documents by id: ${summary.documentsDefaultVsPerRequest}×` +
    `\npooled / per-request, search mix: ${summary.searchPooledVsPerRequest}×` +
    `\nworkers / main-thread readers, search mix: ${summary.searchWorkersVsMainThread}×`,
);
const out = join(import.meta.dir, "results");
mkdirSync(out, { recursive: true });
await Bun.write(
  join(out, "server.json"),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      bun: Bun.version,
      connections: CONNECTIONS,
      durationS: DURATION_S,
      queries: QUERY_MIX,
      results,
      perQuery: perQueryResults,
      summary,
    },
    null,
    2,
  ),
);

/**
 * Seeds the full State of the Union corpus into a fresh temp database through the search app,
 * then times queries over it: p50/p99 of a fixed mix (common word, rare word, phrase, prefix,
 * filtered). `bun run bench` in apps/search; figures to bench/results/search.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createProgressReporter } from "@app/kit";
import { SqlitePool } from "@pool/sqlite";
import { createSearchApp } from "../src/index.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const queries: Record<string, string> = {
  "common word (the)": "q=the",
  "common word (government)": "q=government",
  "rare word (emancipation)": "q=emancipation",
  'phrase ("national debt")': "q=%22national%20debt%22",
  "prefix (tax*)": "q=tax*",
  "prefix (gov*)": "q=gov*",
  "short prefix (co*)": "q=co*",
  "two words + filter": "q=war%20peace&from=1900&to=1950",
  "page 5 (offset 40)": "q=freedom&offset=40",
};

const dir = mkdtempSync(join(tmpdir(), "search-bench-"));
const workers = Number(process.env.BENCH_WORKERS ?? 0);
const db = new SqlitePool({ path: join(dir, "bench.db"), workers });
try {
  const search = createSearchApp({ db });
  await db.migrate(search.name, search.migrations);
  await search.start(createProgressReporter());
  const seed = search.lastSeed!;
  const { passages } = (await db.get<{ passages: number }>(
    "select count(*) as passages from search_passages",
  ))!;
  console.log(
    `seed: ${seed.documents} documents, ${passages} passages in ${seed.ms} ms (longest write transaction ${seed.longestBatchMs.toFixed(1)} ms)`,
  );

  const results: Record<string, { p50Ms: number; p99Ms: number; total: number }> = {};
  for (const [name, qs] of Object.entries(queries)) {
    const res = await search.app.request(`/?${qs}`);
    const { total } = (await res.json()) as { total: number };
    for (let i = 0; i < 10; i++) await (await search.app.request(`/?${qs}`)).text(); // warm
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      await (await search.app.request(`/?${qs}`)).text();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const p = (q: number) =>
      Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 100) / 100;
    results[name] = { p50Ms: p(0.5), p99Ms: p(0.99), total };
    console.log(
      `${name.padEnd(28)} total ${String(total).padStart(4)}  p50 ${p(0.5)} ms  p99 ${p(0.99)} ms`,
    );
  }
  mkdirSync(join(import.meta.dir, "results"), { recursive: true });
  writeFileSync(
    join(import.meta.dir, "results", "search.json"),
    `${JSON.stringify({ date: new Date().toISOString(), bun: Bun.version, workers, rounds: ROUNDS, seed: { ...seed, passages }, queries: results }, null, 2)}\n`,
  );
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}

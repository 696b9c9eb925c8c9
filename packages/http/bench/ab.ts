/**
 * A/B of the socket transport: this tree's `src/` against the same package at another commit
 * (`BASE`, default `HEAD`), with `minimal-client` as the reference, side by side in one process
 * against the raw upstream. Each round runs the three in rotating order at every concurrency;
 * the table gives medians over rounds of requests/s and of the JavaScript thread's CPU per
 * request (user and system, from /proc: other processes on the shared cores do not count), and
 * the ratios work/base and work/minimal. A speed-up is only real if it shows here, in one run.
 * Linux only.
 *
 * Run: bun bench/ab.ts   (env: BASE=HEAD ROUNDS=5 REQUESTS=60000 CONCURRENCY=1,8,64,256
 * MAX_CONNECTIONS=32: sockets per client are min(concurrency, MAX_CONNECTIONS), as in index.ts)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpPool } from "../src/index.ts";
import { type CpuRun, cpuRun, startRawServer } from "./cpu-run.ts";
import { MinimalClient } from "./minimal-client.ts";

const BASE = process.env.BASE ?? "HEAD";
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const REQUESTS = Number(process.env.REQUESTS ?? 60_000);
const CONCURRENCY = (process.env.CONCURRENCY ?? "1,8,64,256").split(",").map(Number);
const MAX_CONNECTIONS = Number(process.env.MAX_CONNECTIONS ?? 32);
const MODES = ["base", "work", "minimal"] as const;
type Mode = (typeof MODES)[number];

// The base's src/ goes beside a node_modules link, so it resolves @pool/core as this tree does.
const pkg = join(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "http-ab-"));
const archive = execFileSync("git", ["archive", BASE, "src"], { cwd: pkg });
mkdirSync(join(dir, "pkg"));
execFileSync("tar", ["-x", "-C", join(dir, "pkg")], { input: archive });
symlinkSync(join(pkg, "node_modules"), join(dir, "pkg", "node_modules"));
const Base = (await import(join(dir, "pkg", "src", "index.ts"))) as { HttpPool: typeof HttpPool };

const server = await startRawServer();
const { port, origin } = server;
const url = `${origin}/api/bench`;

async function measure(mode: Mode, concurrency: number, requests: number): Promise<CpuRun> {
  const connections = Math.min(concurrency, MAX_CONNECTIONS);
  if (mode === "minimal") {
    const client = await MinimalClient.connect("127.0.0.1", port, connections);
    return cpuRun(
      { get: () => client.get("/api/bench"), close: () => client.close() },
      concurrency,
      requests,
    );
  }
  const pool = new (mode === "base" ? Base.HttpPool : HttpPool)({ origin, connections });
  return cpuRun({ get: () => pool.fetch(url), close: () => pool.close() }, concurrency, requests);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const runs = new Map<string, CpuRun[]>();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of CONCURRENCY) {
      const n = c === 1 ? Math.min(REQUESTS, 20_000) : REQUESTS;
      for (let i = 0; i < MODES.length; i++) {
        const mode = MODES[(i + round) % MODES.length]!;
        const key = `${c}/${mode}`;
        runs.set(key, [...(runs.get(key) ?? []), await measure(mode, c, n)]);
      }
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

const rows: Record<string, unknown>[] = [];
for (const c of CONCURRENCY) {
  const m = (mode: Mode, f: (r: CpuRun) => number) => median(runs.get(`${c}/${mode}`)!.map(f));
  // Per-round ratios, so a round the machine slowed down for everyone cancels out.
  const ratio = (a: Mode, b: Mode) => {
    const as = runs.get(`${c}/${a}`)!;
    const bs = runs.get(`${c}/${b}`)!;
    return median(as.map((r, i) => r.rps / bs[i]!.rps)).toFixed(2);
  };
  for (const mode of MODES) {
    rows.push({
      concurrency: c,
      mode,
      "req/s": Math.round(m(mode, (r) => r.rps)),
      "user µs": m(mode, (r) => r.userUs).toFixed(2),
      "sys µs": m(mode, (r) => r.systemUs).toFixed(2),
      "work/base": mode === "work" ? ratio("work", "base") : "",
      "work/minimal": mode === "work" ? ratio("work", "minimal") : "",
    });
  }
}
console.table(rows);
console.log(`base: ${BASE}; ${ROUNDS} rounds; medians of per-round ratios`);

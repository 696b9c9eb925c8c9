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
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpPool } from "../src/index.ts";
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

const server = Bun.spawn([process.execPath, join(import.meta.dir, "server.ts")], {
  stdin: "pipe",
  stdout: "pipe",
  stderr: "inherit",
});
const { value } = await server.stdout.getReader().read();
const { port } = JSON.parse(new TextDecoder().decode(value)) as { port: number };
const origin = `http://127.0.0.1:${port}`;
const url = `${origin}/api/bench`;

/** This thread's CPU time so far, in µs (clock ticks of 10 ms: measure many requests). */
function threadCpuUs(): { user: number; system: number } {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 };
}

interface Run {
  rps: number;
  userUs: number;
  systemUs: number;
}

async function measure(mode: Mode, concurrency: number, requests: number): Promise<Run> {
  const connections = Math.min(concurrency, MAX_CONNECTIONS);
  let get: () => Promise<Response>;
  let done: () => unknown;
  if (mode === "minimal") {
    const client = await MinimalClient.connect("127.0.0.1", port, connections);
    get = () => client.get("/api/bench");
    done = () => client.close();
  } else {
    const pool = new (mode === "base" ? Base.HttpPool : HttpPool)({ origin, connections });
    get = () => pool.fetch(url);
    done = () => pool.close();
  }
  const run = async (n: number) => {
    let next = 0;
    const worker = async () => {
      while (next++ < n) await (await get()).text();
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  await run(2_000);
  const before = threadCpuUs();
  const t0 = performance.now();
  await run(requests);
  const seconds = (performance.now() - t0) / 1000;
  const after = threadCpuUs();
  await done();
  return {
    rps: requests / seconds,
    userUs: (after.user - before.user) / requests,
    systemUs: (after.system - before.system) / requests,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const runs = new Map<string, Run[]>();
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
  server.stdin.end();
  server.kill();
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
}

const rows: Record<string, unknown>[] = [];
for (const c of CONCURRENCY) {
  const m = (mode: Mode, f: (r: Run) => number) => median(runs.get(`${c}/${mode}`)!.map(f));
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

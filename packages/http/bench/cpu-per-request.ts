/**
 * Where the socket transport's time goes next to minimal-client: the JavaScript thread's CPU per
 * request (user and system, from /proc, so other processes on the shared cores do not count),
 * against the raw upstream in its own process, socket transport and minimal-client alternating.
 * Requests/s swing by ±15% on this machine from run to run; CPU per request moves far less.
 * Linux only. For a profile of one mode, add `--cpu-prof-md` and `MODES=socket`.
 *
 * Run: bun bench/cpu-per-request.ts   (env: ROUNDS=3 REQUESTS=100000 CONCURRENCY=8,256 MODES=socket,minimal-client)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HttpPool } from "../src/index.ts";
import { MinimalClient } from "./minimal-client.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const REQUESTS = Number(process.env.REQUESTS ?? 100_000);
const CONCURRENCY = (process.env.CONCURRENCY ?? "8,256").split(",").map(Number);
const MODES = (process.env.MODES ?? "socket,minimal-client").split(",");

const server = Bun.spawn([process.execPath, join(import.meta.dir, "server.ts")], {
  stdin: "pipe",
  stdout: "pipe",
  stderr: "inherit",
});
const { value } = await server.stdout.getReader().read();
const { port } = JSON.parse(new TextDecoder().decode(value)) as { port: number };
const origin = `http://127.0.0.1:${port}`;

/** This thread's CPU time so far, in µs (clock ticks of 10 ms: measure many requests). */
function threadCpuUs(): { user: number; system: number } {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 };
}

async function measure(mode: string, concurrency: number) {
  const connections = Math.min(concurrency, 32);
  let get: () => Promise<Response>;
  let done: () => unknown;
  if (mode === "minimal-client") {
    const client = await MinimalClient.connect("127.0.0.1", port, connections);
    get = () => client.get("/api/bench");
    done = () => client.close();
  } else {
    const pool = new HttpPool({ origin, connections });
    get = () => pool.fetch("/api/bench");
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
  await run(REQUESTS);
  const seconds = (performance.now() - t0) / 1000;
  const after = threadCpuUs();
  await done();
  return {
    rps: REQUESTS / seconds,
    userUs: (after.user - before.user) / REQUESTS,
    systemUs: (after.system - before.system) / REQUESTS,
  };
}

const rows: Record<string, unknown>[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const concurrency of CONCURRENCY) {
      const order = round % 2 === 0 ? MODES : [...MODES].reverse();
      for (const mode of order) {
        const r = await measure(mode, concurrency);
        rows.push({
          round: round + 1,
          concurrency,
          mode,
          "req/s": Math.round(r.rps),
          "user µs/req": r.userUs.toFixed(2),
          "system µs/req": r.systemUs.toFixed(2),
        });
      }
    }
  }
} finally {
  server.stdin.end();
  server.kill();
  await server.exited;
}
console.table(rows);

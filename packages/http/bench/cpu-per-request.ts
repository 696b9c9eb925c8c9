/**
 * Where the socket transport's time goes next to minimal-client: the JavaScript thread's CPU per
 * request (user and system, from /proc, so other processes on the shared cores do not count),
 * against the raw upstream in its own process, socket transport and minimal-client alternating.
 * Requests/s swing by ±15% on this machine from run to run; CPU per request moves far less.
 * Linux only. For a profile of one mode, add `--cpu-prof-md` and `MODES=socket`.
 *
 * Run: bun bench/cpu-per-request.ts   (env: ROUNDS=3 REQUESTS=100000 CONCURRENCY=8,256 MODES=socket,minimal-client)
 */
import { HttpPool } from "../src/index.ts";
import { type CpuRun, cpuRun, startRawServer } from "./cpu-run.ts";
import { MinimalClient } from "./minimal-client.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const REQUESTS = Number(process.env.REQUESTS ?? 100_000);
const CONCURRENCY = (process.env.CONCURRENCY ?? "8,256").split(",").map(Number);
const MODES = (process.env.MODES ?? "socket,minimal-client").split(",");

const server = await startRawServer();
const { port, origin } = server;

function measure(mode: string, concurrency: number): Promise<CpuRun> {
  const connections = Math.min(concurrency, 32);
  if (mode === "minimal-client") {
    return MinimalClient.connect("127.0.0.1", port, connections).then((client) =>
      cpuRun(
        { get: () => client.get("/api/bench"), close: () => client.close() },
        concurrency,
        REQUESTS,
      ),
    );
  }
  const pool = new HttpPool({ origin, connections });
  return cpuRun(
    { get: () => pool.fetch("/api/bench"), close: () => pool.close() },
    concurrency,
    REQUESTS,
  );
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
  await server.stop();
}
console.table(rows);

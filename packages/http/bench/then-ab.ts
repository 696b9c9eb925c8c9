/**
 * A/B of the optional `then` continuation of `OriginTransport.send` (issue 12, step 4): the
 * socket transport as it is (`send(request, then)`: the last step runs inside the transport's
 * own promise) against the same pool whose transport ignores `then` and chains `.then(then)`
 * (one promise and one microtask more per request). Same raw upstream process, side by side,
 * order rotated per round; prints medians of requests/s and the B/A ratio.
 *
 * Run: bun bench/then-ab.ts   (env: ROUNDS=7 REQUESTS=20000 CONCURRENCY=1,8,64,256)
 */
import { join } from "node:path";
import { HttpPool } from "../src/index.ts";
import type { OriginTransport } from "../src/transport.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const REQUESTS = Number(process.env.REQUESTS ?? 20_000);
const CONCURRENCY = (process.env.CONCURRENCY ?? "1,8,64,256").split(",").map(Number);
type Mode = "continuation" | "chained";
const MODES: Mode[] = ["continuation", "chained"];

const server = Bun.spawn([process.execPath, join(import.meta.dir, "server.ts")], {
  stdin: "pipe",
  stdout: "pipe",
  stderr: "inherit",
});
const { value } = await server.stdout.getReader().read();
const { port } = JSON.parse(new TextDecoder().decode(value)) as { port: number };
const url = `http://127.0.0.1:${port}/api/bench`;

function makePool(mode: Mode, concurrency: number): HttpPool {
  const pool = new HttpPool({
    origin: `http://127.0.0.1:${port}`,
    connections: Math.min(concurrency, 32),
  });
  if (mode === "chained") {
    const internals = pool as unknown as {
      balancer: { upstreams: { transport: OriginTransport }[] };
    };
    const transport = internals.balancer.upstreams[0]!.transport;
    const send = transport.send.bind(transport);
    (transport as { send: OriginTransport["send"] }).send = (request, then) =>
      then === undefined ? send(request) : send(request).then(then);
  }
  return pool;
}

async function measure(mode: Mode, concurrency: number, requests: number): Promise<number> {
  const pool = makePool(mode, concurrency);
  const run = async (n: number) => {
    let next = 0;
    const worker = async () => {
      while (next++ < n) await (await pool.fetch(url)).text();
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  await run(1_000);
  const t0 = performance.now();
  await run(requests);
  const rps = requests / ((performance.now() - t0) / 1000);
  await pool.close();
  return rps;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const runs: Record<string, Record<Mode, number[]>> = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of CONCURRENCY) {
      runs[c] ??= { continuation: [], chained: [] };
      const n = c === 1 ? Math.min(REQUESTS, 5_000) : REQUESTS;
      for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
        runs[c]![mode].push(await measure(mode, c, n));
      }
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }
} finally {
  server.stdin.end();
  server.kill();
  await server.exited;
}
console.table(
  CONCURRENCY.map((c) => {
    const a = median(runs[c]!.continuation);
    const b = median(runs[c]!.chained);
    const rounds = runs[c]!.continuation.map((x, i) => runs[c]!.chained[i]! / x);
    return {
      concurrency: c,
      "continuation req/s": Math.round(a),
      "chained req/s": Math.round(b),
      "chained / continuation": (b / a).toFixed(3),
      "per-round ratios": rounds.map((r) => r.toFixed(2)).join(" "),
    };
  }),
);

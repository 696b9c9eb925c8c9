/**
 * Requests/s, latency and connections opened for four HTTP clients against one upstream in a
 * separate process: @pool/http's socket transport, its fetch transport, Bun's global fetch,
 * and fetch with `keepalive: false`, at several concurrencies. Modes run side by side in each
 * round (order rotated per round) and the medians over rounds are reported, because this
 * machine's 2 cores are shared. Prints a table and writes bench/results/http.json.
 *
 * Run: bun run bench   (env: ROUNDS=5 REQUESTS=20000 CONCURRENCY=1,8,64,256 SERVER=raw|bunserve|node)
 * SERVER=raw (default) is a minimal responder over Bun.listen, the cheapest upstream and so the
 * hardest comparison for a client that shares the machine's cores with it; SERVER=bunserve is
 * Bun.serve, what a Bun service would run; SERVER=node is node:http under Node, a slower upstream
 * that suffers more from connection churn. All answer with the same 122-byte JSON.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HttpPool } from "../src/index.ts";
import { MinimalClient } from "./minimal-client.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const REQUESTS = Number(process.env.REQUESTS ?? 20_000);
const CONCURRENCY = (process.env.CONCURRENCY ?? "1,8,64,256").split(",").map(Number);
/**
 * The pool's `connections` at each concurrency: one socket per worker up to 32. Beyond that more
 * sockets cost a single JavaScript thread more than the queue does (measured: 32 beat 64 and
 * 128 at concurrency 64 and 256 on this machine).
 */
const connectionsFor = (c: number) => Math.min(c, Number(process.env.MAX_CONNECTIONS ?? 32));

type Mode = "socket" | "fetch-transport" | "bun-fetch" | "fetch-no-keepalive" | "minimal-client";
const MODES: Mode[] = [
  "socket",
  "fetch-transport",
  "bun-fetch",
  "fetch-no-keepalive",
  "minimal-client",
];

interface Run {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  opened: number;
  errors: number;
}

const SERVERS = {
  raw: [process.execPath, join(import.meta.dir, "server.ts")],
  bunserve: [process.execPath, join(import.meta.dir, "bun-server.ts")],
  node: [Bun.which("node") ?? process.execPath, join(import.meta.dir, "node-server.mjs")],
};
const SERVER = (process.env.SERVER ?? "raw") as keyof typeof SERVERS;
if (!(SERVER in SERVERS))
  throw new Error(`SERVER must be one of ${Object.keys(SERVERS).join(", ")}`);
const command = SERVERS[SERVER];
const server = Bun.spawn(command, {
  stdin: "pipe",
  stdout: "pipe",
  stderr: "inherit",
});
const reader = server.stdout.getReader();
const { value } = await reader.read();
const { port, control } = JSON.parse(new TextDecoder().decode(value)) as {
  port: number;
  control: number;
};
const origin = `http://127.0.0.1:${port}`;
const url = `${origin}/api/bench`;

async function opened(): Promise<number> {
  // A session of its own, so this probe never takes or adds a socket of the global fetch pool.
  const session = new Bun.FetchSession({ keepAlive: false });
  const res = await session.fetch(`http://127.0.0.1:${control}/`);
  return ((await res.json()) as { opened: number }).opened;
}

async function measure(mode: Mode, concurrency: number, requests: number): Promise<Run> {
  let http: HttpPool | undefined;
  let minimal: MinimalClient | undefined;
  let get: () => Promise<Response>;
  const before = await opened();
  if (mode === "minimal-client") {
    const client = await MinimalClient.connect("127.0.0.1", port, connectionsFor(concurrency));
    minimal = client;
    get = () => client.get("/api/bench");
  } else if (mode === "socket" || mode === "fetch-transport") {
    const pool = new HttpPool({
      origin,
      connections: connectionsFor(concurrency),
      transport: mode === "socket" ? "socket" : "fetch",
    });
    http = pool;
    get = () => pool.fetch(url);
  } else if (mode === "bun-fetch") {
    get = () => fetch(url);
  } else {
    get = () => fetch(url, { keepalive: false });
  }
  // Every socket this client opens counts, the warm-up's included; the clock starts after it.
  await drive(get, concurrency, Math.min(requests, 1_000), undefined);
  const latencies = new Float64Array(requests);
  const t0 = performance.now();
  const errors = await drive(get, concurrency, requests, latencies);
  const elapsed = performance.now() - t0;
  const after = await opened();
  await http?.close();
  minimal?.close();
  latencies.sort();
  return {
    rps: requests / (elapsed / 1000),
    p50Ms: latencies[Math.floor(requests * 0.5)]!,
    p99Ms: latencies[Math.floor(requests * 0.99)]!,
    opened: after - before,
    errors,
  };
}

async function drive(
  get: () => Promise<Response>,
  concurrency: number,
  requests: number,
  latencies: Float64Array | undefined,
): Promise<number> {
  let next = 0;
  let errors = 0;
  const worker = async () => {
    while (next < requests) {
      const i = next++;
      const t = performance.now();
      try {
        const res = await get();
        await res.text();
        if (res.status !== 200) errors++;
      } catch {
        errors++;
      }
      if (latencies !== undefined) latencies[i] = performance.now() - t;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return errors;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const results: Record<string, Record<Mode, Run[]>> = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of CONCURRENCY) {
      results[c] ??= {
        socket: [],
        "fetch-transport": [],
        "bun-fetch": [],
        "fetch-no-keepalive": [],
        "minimal-client": [],
      };
      // Fewer requests where the client is slow, so one round stays in seconds.
      const n = c === 1 ? Math.min(REQUESTS, 5_000) : REQUESTS;
      const order = MODES.map((_, i) => MODES[(i + round) % MODES.length]!);
      for (const mode of order) {
        const requests = mode === "fetch-no-keepalive" ? Math.min(n, 5_000) : n;
        results[c]![mode].push(await measure(mode, c, requests));
      }
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }
} finally {
  server.stdin.end();
  server.kill();
  await server.exited;
}

const summary: Record<string, unknown>[] = [];
for (const c of CONCURRENCY) {
  const fetchRps = median(results[c]!["bun-fetch"].map((r) => r.rps));
  for (const mode of MODES) {
    const runs = results[c]![mode];
    const rps = median(runs.map((r) => r.rps));
    summary.push({
      concurrency: c,
      mode,
      connections: mode === "bun-fetch" || mode === "fetch-no-keepalive" ? "-" : connectionsFor(c),
      "req/s": Math.round(rps),
      "vs bun fetch": `${(rps / fetchRps).toFixed(2)}x`,
      "p50 ms": Number(median(runs.map((r) => r.p50Ms)).toFixed(3)),
      "p99 ms": Number(median(runs.map((r) => r.p99Ms)).toFixed(3)),
      "opened (max)": Math.max(...runs.map((r) => r.opened)),
      errors: runs.reduce((a, r) => a + r.errors, 0),
    });
  }
}
console.table(summary);
const dir = join(import.meta.dir, "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, SERVER === "raw" ? "http.json" : `http-${SERVER}.json`);
const report = {
  bun: Bun.version,
  server: SERVER,
  rounds: ROUNDS,
  requests: REQUESTS,
  summary,
  runs: results,
};
writeFileSync(file, JSON.stringify(report, null, 2));
console.log(`server: ${SERVER}; wrote ${file}`);

/**
 * `bun run bench` in apps/rag: the RAG app served alone in its own process on a database seeded
 * with the whole corpus, an Ollama stand-in (zero delay) in a third process, autocannon here.
 *
 * 1. Vector KNN over every chunk (~13,600 with the default 200-character overlap), p50/p99:
 *    vec0 and the JS cosine scan, with and without `mmap_size`.
 * 2. `POST /ask` (non-streamed) at BENCH_CONNECTIONS (32) concurrent clients, req/s, p50, p99,
 *    errors, and the mean time split from the answers' `timings`, for:
 *    - `pooled vec0`: the SqlitePool (sqlite-vec on every connection) and an HttpPool of 8;
 *    - `per-request vec0`: a SQLite connection per read (loading sqlite-vec each time) and a
 *      TCP connection per LLM request, as the original design did;
 *    - `SQLite per-request only` / `LLM per-request only`: one of the two without its pool;
 *    - `pooled vec0 + 2 workers`: reads (BM25, KNN) on the pool's off-thread readers;
 *    - `pooled js`: the pools, with the JS cosine scan instead of vec0.
 *    Rounds interleave the variants (the machine is shared); the table gives medians.
 *
 * Environment: BENCH_ROUNDS (2), BENCH_DURATION_S (5), BENCH_WARMUP_S (1), BENCH_CONNECTIONS (32),
 * BENCH_VARIANTS (comma list). Writes bench/results/rag.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { benchKnn } from "./knn.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

/** The questions of the load, asked in turn by every connection. */
export const QUESTIONS = [
  "What did the president say about inflation and prices?",
  "How should the nation protect the environment?",
  "What was said about the Panama Canal?",
  "How will we pay for health care?",
  "What about the war in Vietnam?",
  "Why does education matter for the economy?",
  "What did Lincoln say about emancipation?",
  "How should immigration laws change?",
];

const ALL_VARIANTS: Record<string, Record<string, string>> = {
  "pooled vec0": { RAG_VEC: "1" },
  "per-request vec0": { RAG_VEC: "1", PER_REQUEST: "1" },
  "SQLite per-request only": { RAG_VEC: "1", PER_REQUEST_SQLITE: "1" },
  "LLM per-request only": { RAG_VEC: "1", PER_REQUEST_LLM: "1" },
  "pooled vec0 + 2 workers": { RAG_VEC: "1", SQLITE_WORKERS: "2" },
  "pooled js": {},
};
const VARIANTS = (process.env.BENCH_VARIANTS?.split(",") ?? Object.keys(ALL_VARIANTS)).map((v) =>
  v.trim(),
);

interface Running {
  url: string;
  stop(): Promise<Record<string, number>>;
}

async function readLine(
  stream: ReadableStream<Uint8Array>,
  match: (line: string) => boolean,
): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done)
        throw new Error(`the process ended before printing the expected line; got: ${buffer}`);
      buffer += decoder.decode(value);
      const lines = buffer.split("\n");
      const found = lines.find(match);
      if (found !== undefined) return found;
    }
  } finally {
    reader.releaseLock();
  }
}

async function startStandin(): Promise<{ url: string; stop(): void }> {
  const proc = Bun.spawn(["bun", join(import.meta.dir, "../../ollama-standin/src/main.ts")], {
    env: { ...process.env, STANDIN_PORT: "0" },
    stdout: "pipe",
    stderr: "inherit",
  });
  const line = await readLine(proc.stdout, (l) => l.includes("http://"));
  return { url: /http:\/\/[\d.:]+/.exec(line)![0], stop: () => proc.kill("SIGTERM") };
}

async function startServer(env: Record<string, string>): Promise<Running> {
  const proc = Bun.spawn(["bun", join(import.meta.dir, "ask-server.ts")], {
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "inherit",
  });
  const line = await readLine(proc.stdout, (l) => l.startsWith('{"url"'));
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    async stop() {
      proc.kill("SIGTERM");
      const sums = await readLine(proc.stdout, (l) => l.startsWith('{"sums"'));
      await proc.exited;
      return (JSON.parse(sums) as { sums: Record<string, number> }).sums;
    },
  };
}

function load(url: string, durationS: number) {
  return autocannon({
    url: `${url}/ask`,
    connections: CONNECTIONS,
    duration: durationS,
    requests: QUESTIONS.map((question) => ({
      method: "POST" as const,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question }),
    })),
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), "rag-bench-"));
const standin = await startStandin();
const base = { DATABASE_PATH: join(dir, "rag.db"), STANDIN_URL: standin.url };
try {
  console.error("seeding the whole corpus (stand-in embeddings)...");
  const seedStarted = performance.now();
  await (await startServer({ ...base, RAG_VEC: "1" })).stop();
  const seedS = (performance.now() - seedStarted) / 1000;

  const knn = await benchKnn(base.DATABASE_PATH, QUESTIONS, 10);
  console.log("\nVector KNN, k = 40, through the pool (p50 / p99 ms):");
  console.table(knn);

  const rounds: Record<
    string,
    { rps: number; p50: number; p99: number; errors: number; split: Record<string, number> }[]
  > = {};
  for (let round = 0; round < ROUNDS; round++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
    for (const variant of order) {
      const server = await startServer({ ...base, ...ALL_VARIANTS[variant] });
      await load(server.url, WARMUP_S);
      const result = await load(server.url, DURATION_S);
      const sums = await server.stop();
      const n = sums.count || 1;
      rounds[variant] ??= [];
      rounds[variant].push({
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.non2xx,
        split: {
          retrievalMs: sums.retrievalMs! / n,
          embeddingMs: sums.embeddingMs! / n,
          generationMs: sums.generationMs! / n,
          totalMs: sums.totalMs! / n,
        },
      });
      console.error(`round ${round + 1} ${variant}: ${result.requests.average} req/s`);
    }
  }
  const rows = VARIANTS.map((variant) => {
    const rs = rounds[variant]!;
    const split = (key: string) => Math.round(median(rs.map((r) => r.split[key]!)) * 10) / 10;
    return {
      variant,
      "req/s": Math.round(median(rs.map((r) => r.rps))),
      "p50 ms": median(rs.map((r) => r.p50)),
      "p99 ms": median(rs.map((r) => r.p99)),
      errors: rs.reduce((sum, r) => sum + r.errors, 0),
      "retrieval ms": split("retrievalMs"),
      "embedding ms": split("embeddingMs"),
      "generation ms": split("generationMs"),
      "in-app total ms": split("totalMs"),
    };
  });
  console.log(
    `\nPOST /rag/ask, non-streamed, ${CONNECTIONS} connections, ${DURATION_S} s x ${ROUNDS} rounds (medians):`,
  );
  console.table(rows);
  const pooled = rows.find((r) => r.variant === "pooled vec0");
  const perRequest = rows.find((r) => r.variant === "per-request vec0");
  if (pooled && perRequest) {
    console.log(
      `pooled / per-request: ${(pooled["req/s"] / perRequest["req/s"]).toFixed(2)}x req/s`,
    );
  }
  mkdirSync(join(import.meta.dir, "results"), { recursive: true });
  writeFileSync(
    join(import.meta.dir, "results", "rag.json"),
    `${JSON.stringify({ date: new Date().toISOString(), connections: CONNECTIONS, durationS: DURATION_S, rounds: ROUNDS, seedS, knn, ask: rows }, null, 2)}\n`,
  );
} finally {
  standin.stop();
  rmSync(dir, { recursive: true, force: true });
}

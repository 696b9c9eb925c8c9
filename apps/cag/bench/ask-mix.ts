/**
 * `bun run bench`: `POST /cag/ask` under 32 concurrent clients over real loopback HTTP, with a
 * seeded mix of repeated (exact hits), reworded (semantic hits) and new questions (misses).
 * The stand-in LLM runs in its own process, as Ollama would, streaming its answers in 3-word
 * chunks `BENCH_CHUNK_DELAY_MS` apart (default 10). The app runs on the real 24,000-token
 * context. Prints req/s, p50/p99 per cache outcome and the LLM calls saved, and writes
 * `bench/results/cag.json`.
 *
 * BENCH_REQUESTS (default 3000), BENCH_CLIENTS (32), BENCH_MIX ("60/20/20": repeated/reworded/new).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { notFound } from "@app/kit";
import { SqlitePool } from "@pool/sqlite";
import { Hono } from "hono";
import { createCagApp } from "../src/cag-app.ts";
import { openLocalLlm } from "../src/local-llm.ts";
import { QuestionMix } from "./question-mix.ts";

const env = process.env;
const requests = Number(env.BENCH_REQUESTS ?? 3_000);
const clients = Number(env.BENCH_CLIENTS ?? 32);
const chunkDelayMs = Number(env.BENCH_CHUNK_DELAY_MS ?? 10);
const [repeated, reworded, fresh] = (env.BENCH_MIX ?? "60/20/20").split("/").map(Number) as [
  number,
  number,
  number,
];

// The LLM in a process of its own, as Ollama would be.
const standinProcess = Bun.spawn(
  ["bun", join(import.meta.dir, "../../ollama-standin/src/main.ts")],
  {
    env: { ...env, STANDIN_PORT: "0", STANDIN_CHUNK_DELAY_MS: String(chunkDelayMs) },
    stdout: "pipe",
    stderr: "inherit",
  },
);
const origin = await readOrigin(standinProcess.stdout);
const dir = mkdtempSync(join(tmpdir(), "cag-bench-"));
const llm = await openLocalLlm({
  origin,
  chatModel: "standin-chat",
  embedModel: "standin-embed",
  standin: true,
});
const db = new SqlitePool({ path: join(dir, "bench.db") });
const cag = createCagApp({ db, llm, env: {}, log: (line) => console.log(line) });
await db.migrate(cag.name, cag.migrations);
await cag.start();

const root = new Hono();
root.route("/cag", cag.app);
root.notFound(notFound);
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: root.fetch, idleTimeout: 0 });
const url = `http://127.0.0.1:${server.port}/cag/ask`;

const mix = new QuestionMix({ repeated, reworded, fresh, seed: 42 });
// "joined": reported as exact, but served by another ask's generation in flight (it waited).
const latencies: Record<string, number[]> = { exact: [], joined: [], semantic: [], miss: [] };
const intended: Record<string, number> = { repeated: 0, reworded: 0, fresh: 0 };
let errors = 0;
let sent = 0;

console.log(
  `bench: ${requests} asks, ${clients} clients, mix ${repeated}/${repeated === undefined ? "" : reworded}/${fresh} (repeated/reworded/new), stand-in chunks ${chunkDelayMs} ms apart`,
);
const started = performance.now();
await Promise.all(
  Array.from({ length: clients }, async () => {
    while (sent < requests) {
      sent++;
      const { question, kind } = mix.next();
      intended[kind]!++;
      const t0 = performance.now();
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ question }),
      });
      const body = (await res.json()) as { cache?: string; timings?: { generationMs?: number } };
      const ms = performance.now() - t0;
      if (res.status !== 200 || !body.cache) {
        errors++;
        continue;
      }
      const joined = body.cache === "exact" && body.timings?.generationMs !== undefined;
      latencies[joined ? "joined" : body.cache]!.push(ms);
    }
  }),
);
const elapsedS = (performance.now() - started) / 1000;

const metrics = cag.metrics();
const outcome = (name: string) => {
  const list = latencies[name]!.sort((a, b) => a - b);
  const at = (q: number) =>
    list.length === 0 ? 0 : list[Math.min(list.length - 1, Math.floor(q * list.length))]!;
  return {
    count: list.length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    maxMs: round(list.at(-1) ?? 0),
  };
};
const answered = requests - errors;
const result = {
  date: new Date().toISOString(),
  bun: Bun.version,
  requests,
  clients,
  mix: { repeated, reworded, fresh },
  intended,
  chunkDelayMs,
  elapsedS: round(elapsedS),
  requestsPerS: round(answered / elapsedS),
  errors,
  outcomes: {
    exact: outcome("exact"),
    joined: outcome("joined"),
    semantic: outcome("semantic"),
    miss: outcome("miss"),
  },
  llmCalls: metrics.llmCalls,
  llmCallsSaved: answered - metrics.llmCalls,
  llmCallsSavedRatio: round((answered - metrics.llmCalls) / answered, 3),
  coalesced: metrics.coalesced,
  promptEval: {
    requests: metrics.promptEval.requests,
    meanMs: round((metrics.promptEval.seconds / Math.max(1, metrics.promptEval.requests)) * 1000),
    warmupMs: cag.warmup()?.promptEvalMs ?? null,
  },
  context: { documents: cag.context()!.documents.length, tokens: cag.context()!.tokens },
};
console.log(JSON.stringify(result, null, 2));
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results", "cag.json"), `${JSON.stringify(result, null, 2)}\n`);

await server.stop(true);
await cag.close?.();
await db.close();
await llm.close();
standinProcess.kill("SIGTERM");
await standinProcess.exited;
rmSync(dir, { recursive: true, force: true });

async function readOrigin(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk);
    const match = text.match(/http:\/\/127\.0\.0\.1:\d+/);
    if (match) return match[0];
  }
  throw new Error(`the stand-in exited without saying where it listens: ${text}`);
}

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * The RAG app served alone for the benchmark, in a process of its own:
 * `DATABASE_PATH`, `STANDIN_URL` (an Ollama stand-in already running), `RAG_VEC=1` (load
 * sqlite-vec on every pool connection), `PER_REQUEST=1` (a SQLite connection per read and a TCP
 * connection per LLM request instead of the pools; `PER_REQUEST_SQLITE=1` or `PER_REQUEST_LLM=1`
 * for one of them), `SQLITE_WORKERS` (0), `LLM_CONNECTIONS` (8). Seeds on first use
 * (the whole corpus), then prints one JSON line `{ "url": ... }` and serves until SIGTERM.
 * Every answer's `timings` are summed and printed as JSON on SIGTERM.
 */
import type { Llm } from "@app/kit";
import { perRequestReads } from "@app/kit";
import { HttpPool } from "@pool/http";
import { SqlitePool } from "@pool/sqlite";
import { Ollama } from "ollama";
import * as sqliteVec from "sqlite-vec";
import { createRagApp } from "../src/index.ts";
import { perRequestLlm } from "./per-request.ts";

const path = process.env.DATABASE_PATH!;
const origin = new URL(process.env.STANDIN_URL!).origin;
const extensions = process.env.RAG_VEC === "1" ? [sqliteVec.getLoadablePath()] : [];
const perRequestSqlite = process.env.PER_REQUEST === "1" || process.env.PER_REQUEST_SQLITE === "1";
const perRequestLlmOn = process.env.PER_REQUEST === "1" || process.env.PER_REQUEST_LLM === "1";
const workers = Number(process.env.SQLITE_WORKERS ?? 0);
const mmap = process.env.RAG_MMAP === "1" ? { pragmas: { mmap_size: 268_435_456 } } : {};

const pool = new SqlitePool({ path, extensions, workers, ...mmap });
const http = new HttpPool({ origin, connections: Number(process.env.LLM_CONNECTIONS ?? 8) });
const pooledLlm: Llm = {
  origin,
  standin: true,
  pool: http,
  fetch: http.fetch,
  ollama: new Ollama({ host: origin, fetch: http.fetch }),
  chatModel: "standin-chat",
  embedModel: "standin-embed",
  numCtx: 32_768,
  keepAlive: "30m",
  state: () => ({
    origin,
    standin: true,
    reachable: true,
    available: true,
    models: { chat: "standin-chat", embed: "standin-embed" },
    missing: [],
    pull: [],
    checkedAt: undefined,
    error: undefined,
  }),
  recheck: async () => {},
};
const rag = createRagApp({
  db: perRequestSqlite ? perRequestReads(pool, path, extensions) : pool,
  llm: perRequestLlmOn ? perRequestLlm(pooledLlm) : pooledLlm,
  seedDocs: "all",
  log: (line) => console.error(line),
});
await pool.migrate(rag.name, rag.migrations);
await rag.start();

const sums = { count: 0, retrievalMs: 0, embeddingMs: 0, generationMs: 0, totalMs: 0, errors: 0 };
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  idleTimeout: 0,
  async fetch(request) {
    const response = await rag.app.fetch(request);
    if (response.status !== 200) {
      sums.errors++;
      return response;
    }
    const text = await response.text();
    const { timings } = JSON.parse(text) as { timings: Record<string, number> };
    sums.count++;
    for (const key of ["retrievalMs", "embeddingMs", "generationMs", "totalMs"] as const)
      sums[key] += timings[key]!;
    return new Response(text, response);
  },
});

process.on("SIGTERM", async () => {
  // console.log to a pipe may still be buffered at process.exit(): write and wait.
  await Bun.write(Bun.stdout, `${JSON.stringify({ sums })}\n`);
  await server.stop(true);
  await rag.close?.();
  await Promise.allSettled([pool.close(), http.close()]);
  process.exit(0);
});

// Only now: a SIGTERM sent as soon as this line is read must find the handler in place.
console.log(
  JSON.stringify({ url: `http://127.0.0.1:${server.port}`, health: rag.health().detail }),
);

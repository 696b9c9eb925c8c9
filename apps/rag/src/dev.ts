/**
 * `bun run dev`: the RAG app served alone on its own pools, with the built-in Ollama stand-in
 * unless `OLLAMA_HOST` is set. `PORT` (3002), `DATABASE_PATH` (data/rag-dev.db under the
 * repository), `RAG_SEED_DOCS`, `EMBED_MODEL` / `CHAT_MODEL` (with `OLLAMA_HOST`), `RAG_VEC=0` to
 * run without sqlite-vec. The combined server (`bun run start` at the root) is what mounts it
 * with the other apps.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { createProgressReporter, type Llm } from "@app/kit";
import { startStandin } from "@app/ollama-standin";
import { HttpPool } from "@pool/http";
import { SqlitePool } from "@pool/sqlite";
import { Ollama } from "ollama";
import * as sqliteVec from "sqlite-vec";
import { createRagApp } from "./rag-app.ts";

const path =
  process.env.DATABASE_PATH ?? join(import.meta.dir, "..", "..", "..", "data", "rag-dev.db");
mkdirSync(dirname(path), { recursive: true });
const standin = process.env.OLLAMA_HOST ? undefined : await startStandin();
const origin = new URL(process.env.OLLAMA_HOST ?? standin!.url).origin;
const chatModel = standin?.chatModel ?? process.env.CHAT_MODEL ?? "llama3.2";
const embedModel = standin?.embedModel ?? process.env.EMBED_MODEL ?? "nomic-embed-text";

const db = new SqlitePool({
  path,
  extensions: process.env.RAG_VEC === "0" ? [] : [sqliteVec.getLoadablePath()],
});
const http = new HttpPool({
  origin,
  connections: 4,
  headersTimeoutMs: 600_000,
  bodyTimeoutMs: 600_000,
});
const llm: Llm = {
  origin,
  standin: standin !== undefined,
  pool: http,
  fetch: http.fetch,
  ollama: new Ollama({ host: origin, fetch: http.fetch }),
  chatModel,
  embedModel,
  numCtx: 32_768,
  keepAlive: "30m",
  // dev.ts has no background check: the routes find out by calling.
  state: () => ({
    origin,
    standin: standin !== undefined,
    reachable: undefined,
    available: true,
    models: { chat: chatModel, embed: embedModel },
    missing: [],
    pull: [],
    checkedAt: undefined,
    error: undefined,
  }),
  recheck: async () => {},
};

const rag = createRagApp({ db, llm });
await db.migrate(rag.name, rag.migrations);
const server = Bun.serve({
  port: Number(process.env.PORT ?? 3002),
  hostname: "127.0.0.1",
  fetch: rag.app.fetch,
});
console.log(
  `RAG app on http://127.0.0.1:${server.port} (LLM ${origin}${standin ? ", the stand-in" : ""})`,
);
await rag.start(createProgressReporter());
console.log(`ready: ${rag.health().detail}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    await server.stop();
    await rag.close?.();
    await Promise.allSettled([db.close(), http.close()]);
    await standin?.stop();
    process.exit(0);
  });
}

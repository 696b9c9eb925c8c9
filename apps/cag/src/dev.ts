/**
 * `bun run dev`: the CAG app alone on its own pools, on `PORT` (default 3003), against
 * `OLLAMA_HOST` when set, else the built-in stand-in. `DATABASE_PATH` defaults to a file in the
 * system's temp directory. CAG_* variables tune it (see the README).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createProgressReporter, notFound } from "@app/kit";
import { startStandin } from "@app/ollama-standin";
import { SqlitePool } from "@pool/sqlite";
import { Hono } from "hono";
import { createCagApp } from "./cag-app.ts";
import { openLocalLlm } from "./local-llm.ts";

const env = process.env;
const standin = env.OLLAMA_HOST ? undefined : await startStandin();
const origin = env.OLLAMA_HOST ?? standin!.url;
const llm = await openLocalLlm({
  origin: /^[a-z]+:\/\//i.test(origin) ? origin : `http://${origin}`,
  chatModel: standin?.chatModel ?? env.CHAT_MODEL ?? "llama3.2",
  embedModel: standin?.embedModel ?? env.EMBED_MODEL ?? "nomic-embed-text",
  standin: standin !== undefined,
  numCtx: Number(env.LLM_NUM_CTX ?? 32_768),
  keepAlive: env.LLM_KEEP_ALIVE ?? "30m",
});
if (standin) console.log(`LLM: the built-in stand-in at ${standin.url}`);
const state = llm.state();
if (!state.available)
  console.log(`LLM unavailable: ${state.error?.message ?? state.pull.join("; ")}`);

const db = new SqlitePool({ path: env.DATABASE_PATH ?? join(tmpdir(), "pool-cag-dev.db") });
const cag = createCagApp({ db, llm });
await db.migrate(cag.name, cag.migrations);

const root = new Hono();
root.route("/cag", cag.app);
root.notFound(notFound);
const server = Bun.serve({
  port: Number(env.PORT ?? 3003),
  hostname: "127.0.0.1",
  fetch: root.fetch,
  idleTimeout: 30,
});
console.log(`cag: http://127.0.0.1:${server.port}/cag (503 until the context is ready)`);
await cag.start(createProgressReporter());

const shutdown = async () => {
  await server.stop();
  await cag.close?.();
  await db.close();
  await llm.close();
  await standin?.stop();
  process.exit(0);
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);

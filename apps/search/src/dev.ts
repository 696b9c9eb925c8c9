/**
 * Serves the search app alone, for manual use: `bun run dev` in apps/search.
 * DATABASE_PATH chooses the file (default data/search.db here, git-ignored), PORT the port
 * (default 3001; the combined server takes 3000). Routes are under /search, as when mounted.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { createApi, createProgressReporter, notFound } from "@app/kit";
import { SqlitePool } from "@pool/sqlite";
import { createSearchApp } from "./search-app.ts";

const path = process.env.DATABASE_PATH ?? join(import.meta.dir, "..", "data", "search.db");
const port = Number(process.env.PORT ?? 3001);
mkdirSync(dirname(path), { recursive: true });

const db = new SqlitePool({ path });
const search = createSearchApp({ db });
await db.migrate(search.name, search.migrations);

const root = createApi();
root.route(`/${search.name}`, search.app);
root.get("/health", (c) => c.json(search.health(), search.health().ready ? 200 : 503));
root.doc("/openapi.json", { openapi: "3.0.0", info: { title: "@app/search", version: "0.0.0" } });
root.notFound(notFound);

const server = Bun.serve({ port, hostname: "127.0.0.1", fetch: root.fetch });
console.log(`search: ${server.url}search?q=emancipation (database ${path})`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.stop();
  await search.close?.();
  await db.close();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

await search.start(createProgressReporter()).catch((error) => {
  console.error("search: seeding failed:", error);
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CorpusDocument } from "@app/kit";
import { createSearchApp } from "@app/search";
import type { AppEntry } from "../src/apps.ts";
import { loadConfig, type ServerConfig } from "../src/config.ts";
import { type CreateServerOptions, createServer, type PoolServer } from "../src/server.ts";

/** Three short addresses: enough for the routes, seeded in milliseconds. */
export const FIXTURE: CorpusDocument[] = [
  fixture(0, 1862, "Abraham Lincoln", "Republican", "The emancipation of the slaves is proposed."),
  fixture(
    1,
    1941,
    "Franklin D Roosevelt",
    "Democratic",
    "Freedom from want and freedom from fear.",
  ),
  fixture(2, 1961, "John F Kennedy", "Democratic", "We choose to explore space and the moon."),
];

function fixture(i: number, year: number, president: string, party: string, body: string) {
  return { key: `t-${i}`, title: `${president}, ${year}`, body, year, president, party };
}

/** The search app on the fixture corpus, as the server's list would mount it. */
export const searchOnFixture: AppEntry = {
  create: ({ db, llm }) => createSearchApp({ db, llm, seed: { corpus: () => FIXTURE } }),
  required: true,
};

/**
 * A server on a fresh database in a temp directory and (unless `OLLAMA_HOST` is given) its own
 * stand-in; disposing it closes everything and removes the directory.
 *
 * @example
 * ```ts
 * await using t = await tempServer();
 * await t.server.start();
 * const res = await t.server.app.request("/health");
 * ```
 */
export async function tempServer(
  env: Record<string, string> = {},
  options: CreateServerOptions = {},
): Promise<{ server: PoolServer; config: ServerConfig; dir: string } & AsyncDisposable> {
  const dir = mkdtempSync(join(tmpdir(), "pool-server-"));
  const config = loadConfig({ DATABASE_PATH: join(dir, "pool.db"), ...env });
  const server = await createServer(config, { log: () => {}, apps: [searchOnFixture], ...options });
  return {
    server,
    config,
    dir,
    async [Symbol.asyncDispose]() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

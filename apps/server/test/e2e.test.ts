import { Database } from "bun:sqlite";
import { afterAll, describe, expect, it } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Standin, startStandin } from "@app/ollama-standin";
import type { Subprocess } from "bun";

/**
 * The combined server as users run it: `bun src/main.ts` (what the root `bun run start` runs) in
 * its own process, on a free port and a temp database, with the full corpus.
 */
const MAIN = join(import.meta.dir, "..", "src", "main.ts");
const LLM_CONNECTIONS = 2;
const dir = mkdtempSync(join(tmpdir(), "pool-e2e-"));
const dbPath = join(dir, "pool.db");
const running = new Set<Subprocess>();
const standins: Standin[] = [];

afterAll(async () => {
  for (const proc of running) proc.kill("SIGKILL");
  for (const standin of standins) await standin.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Started {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  url: string;
  /** Everything the process wrote to stderr (the progress lines) so far. */
  stderr: () => string;
}

async function startServer(env: Record<string, string>): Promise<Started> {
  const { OLLAMA_HOST: _ignored, ...inherited } = process.env;
  const proc = Bun.spawn(["bun", MAIN], {
    env: {
      ...inherited,
      PORT: "0",
      DATABASE_PATH: dbPath,
      LLM_CONNECTIONS: String(LLM_CONNECTIONS),
      ...env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  running.add(proc);
  let errText = "";
  void (async () => {
    for await (const chunk of proc.stderr.pipeThrough(new TextDecoderStream())) errText += chunk;
  })();
  // The URL line comes once the server listens; bounded by the reader ending with the process.
  let outText = "";
  const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const deadline = setTimeout(() => proc.kill("SIGKILL"), 30_000);
  let url: string | undefined;
  while (url === undefined) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited before listening:\n${outText}\n${errText}`);
    outText += value;
    url = outText.match(/listening on (http:\/\/\S+)/)?.[1];
  }
  clearTimeout(deadline);
  void (async () => {
    while (!(await reader.read()).done) {}
  })();
  return { proc, url, stderr: () => errText };
}

/** Polls `/health` until 200 (at most `limit` polls, 50 ms apart); returns every status seen. */
async function healthUntilReady(url: string, limit = 600): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < limit; i++) {
    const res = await fetch(`${url}/health`);
    await res.arrayBuffer();
    statuses.push(res.status);
    if (res.status === 200) return statuses;
    await Bun.sleep(50);
  }
  throw new Error(`never ready: ${statuses.slice(-5).join(", ")}`);
}

/** SIGTERM, then the exit code, or "timeout" after 10 s (then it is killed). */
async function terminate(proc: Subprocess): Promise<number | "timeout"> {
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
  const code = await Promise.race([proc.exited, Bun.sleep(10_000).then(() => "timeout" as const)]);
  clearTimeout(timer);
  running.delete(proc);
  return code;
}

const QUERIES = ["freedom", "emancipation", '"social security"', "tax*", "union", "war peace"];

/** 200 requests at once, a mix of every kind; resolves with each status. */
async function mixed(url: string, total: number): Promise<Array<{ what: string; status: number }>> {
  const requests = Array.from({ length: total }, (_, i) => {
    switch (i % 8) {
      case 0:
        return {
          what: "search",
          init: undefined,
          path: `/search?q=${encodeURIComponent(QUERIES[i % QUERIES.length]!)}`,
        };
      case 1:
      case 2:
        return { what: "document", init: undefined, path: `/search/documents/${(i % 200) + 1}` };
      case 3:
        return {
          what: "create",
          path: "/search/documents",
          init: {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              title: `e2e ${i}`,
              body: `A concurrent document number ${i}.`,
              year: 2030,
            }),
          },
        };
      case 4:
        return { what: "llm", init: undefined, path: "/llm" };
      case 5:
        return { what: "health", init: undefined, path: "/health" };
      case 6:
        return { what: "pools", init: undefined, path: "/pools" };
      default:
        return { what: "metrics", init: undefined, path: "/metrics" };
    }
  });
  return Promise.all(
    requests.map(async ({ what, path, init }) => {
      const res = await fetch(`${url}${path}`, init);
      await res.arrayBuffer();
      return { what, status: res.status };
    }),
  );
}

function checkDatabase(): { integrity: string; wal: boolean; documents: number } {
  const wal = existsSync(`${dbPath}-wal`);
  const db = new Database(dbPath, { readonly: true });
  try {
    const integrity = (db.query("pragma integrity_check").get() as { integrity_check: string })
      .integrity_check;
    const { n } = db.query("select count(*) as n from search_documents").get() as { n: number };
    return { integrity, wal, documents: n };
  } finally {
    db.close();
  }
}

describe("bun src/main.ts (end to end)", () => {
  let documentsAfterFirstRun = 0;

  it("seeds on first start (503 → 200), serves 200 mixed requests, exits 0 on SIGTERM leaving a clean file", async () => {
    const server = await startServer({});
    const statuses = await healthUntilReady(server.url);
    expect(statuses[0]).toBe(503);
    expect(statuses.at(-1)).toBe(200);
    expect(server.stderr()).toContain("search: seeding");

    const health = (await (await fetch(`${server.url}/health`)).json()) as {
      llm: { standin: boolean; available: boolean };
    };
    expect(health.llm).toMatchObject({ standin: true, available: true });

    const results = await mixed(server.url, 200);
    const failed = results.filter((r) => r.status >= 300);
    expect(failed).toEqual([]);

    const pools = (await (await fetch(`${server.url}/pools`)).json()) as {
      llm: { origins: Record<string, { connections: { size: number; created: number } }> };
    };
    const llm = Object.values(pools.llm.origins)[0]!;
    expect(llm.connections.size).toBeLessThanOrEqual(LLM_CONNECTIONS);

    expect(await terminate(server.proc)).toBe(0);
    const db = checkDatabase();
    expect(db).toMatchObject({ integrity: "ok", wal: false });
    expect(db.documents).toBe(233 + 25); // the corpus and the 25 documents created above
    documentsAfterFirstRun = db.documents;
  }, 60_000);

  it("reuses the data on a second start, and never opens more LLM connections than LLM_CONNECTIONS", async () => {
    expect(documentsAfterFirstRun).toBeGreaterThan(0);
    // A separate Ollama stand-in, so that it counts the connections from outside the server.
    // Holding each /api/ps head 20 ms makes the LLM requests pile up behind the limit.
    const ollama = await startStandin({ faults: { headersDelayMs: { ps: 20 } } });
    standins.push(ollama);
    const server = await startServer({
      OLLAMA_HOST: ollama.url,
      CHAT_MODEL: ollama.chatModel,
      EMBED_MODEL: ollama.embedModel,
    });
    await healthUntilReady(server.url);
    expect(server.stderr()).not.toContain("search: seeding");
    const health = (await (await fetch(`${server.url}/health`)).json()) as {
      llm: { standin: boolean; available: boolean; origin: string };
    };
    expect(health.llm).toMatchObject({ standin: false, available: true, origin: ollama.url });

    const results = await mixed(server.url, 200);
    expect(results.filter((r) => r.status >= 300)).toEqual([]);
    expect(ollama.calls.ps).toBe(25);
    expect(ollama.maxConcurrent).toBeLessThanOrEqual(LLM_CONNECTIONS);
    expect(ollama.maxConcurrent).toBe(LLM_CONNECTIONS); // the limit was reached, not avoided

    expect(await terminate(server.proc)).toBe(0);
    const db = checkDatabase();
    expect(db).toMatchObject({ integrity: "ok", wal: false });
    expect(db.documents).toBe(documentsAfterFirstRun + 25);
  }, 60_000);
});

import { afterEach, describe, expect, it } from "bun:test";
import type { ExampleApp } from "@app/kit";
import type { SqlitePool } from "@pool/sqlite";
import { createRagApp } from "../src/index.ts";
import type { RagAppOptions } from "../src/options.ts";
import { FIXTURE_CORPUS } from "./fixtures.ts";
import { SMALL } from "./rag-fixture.ts";
import { openTempDb, type TempDb } from "./temp-db.ts";
import { openTestLlm, type TestLlm } from "./test-llm.ts";

const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function llmOf(options: Parameters<typeof openTestLlm>[0] = {}): Promise<TestLlm> {
  const llm = await openTestLlm(options);
  cleanup.push(() => llm.close());
  return llm;
}

async function tempDb(): Promise<TempDb> {
  const temp = await openTempDb();
  cleanup.push(() => temp.close());
  return temp;
}

function ragOn(db: SqlitePool, llm: TestLlm, options: Partial<RagAppOptions> = {}): ExampleApp {
  const rag = createRagApp({ db, llm, ...SMALL, ...options });
  cleanup.push(async () => {
    await rag.close?.();
  });
  return rag;
}

/** Chunks the stand-in embedded: every input, less the one dimension probe each start sends. */
function chunkInputs(llm: TestLlm, starts = 1): number {
  const inputs = llm.standinServer.requests
    .filter((r) => r.endpoint === "embed")
    .reduce((sum, r) => sum + (r.inputs ?? 0), 0);
  return inputs - starts;
}

async function count(
  db: SqlitePool,
  sql: string,
  params: (string | number)[] = [],
): Promise<number> {
  return (await db.get<{ n: number }>(sql, params))!.n;
}

const ASK = {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ question: "What did the eagles lay?" }),
};

describe("start()", () => {
  it("answers 503 NOT_READY with the embedding progress until seeded, then serves", async () => {
    const llm = await llmOf();
    const temp = await tempDb();
    const rag = ragOn(temp.db, llm);
    const gate = llm.gateEmbeds(2); // the probe and one batch go through
    const started = rag.start();
    await gate.held;

    const res = await rag.app.request("/ask", ASK);
    expect(res.status).toBe(503);
    const { error } = (await res.json()) as {
      error: { code: string; progress: { done: number; total: number; unit: string } };
    };
    expect(error.code).toBe("NOT_READY");
    expect(error.progress).toMatchObject({ done: 2, unit: "chunks" });
    expect(error.progress.total).toBeGreaterThan(2);
    expect(rag.health()).toMatchObject({ state: "seeding", ready: false });
    expect((await rag.app.request("/documents")).status).toBe(503);

    gate.release();
    await started;
    expect(rag.health().ready).toBe(true);
    expect(rag.health().detail).toContain("JS cosine scan");
    expect((await rag.app.request("/ask", ASK)).status).toBe(200);
  });

  it("resumes an interrupted seed where it stopped: no chunk is embedded twice", async () => {
    const temp = await tempDb();
    const first = await llmOf();
    const interrupted = ragOn(temp.db, first);
    const gate = first.gateEmbeds(3); // the probe and two batches of 2
    const starting = interrupted.start();
    await gate.held;
    await interrupted.close!();
    await expect(starting).rejects.toThrow();
    expect(interrupted.health().state).toBe("failed");
    const chunks = await count(temp.db, "select count(*) as n from rag_chunks");
    expect(await count(temp.db, "select count(*) as n from rag_embeddings")).toBe(4);

    const second = await llmOf();
    const resumed = ragOn(temp.db, second);
    await resumed.start();
    expect(chunkInputs(first) + chunkInputs(second)).toBe(chunks);
    expect(await count(temp.db, "select count(*) as n from rag_embeddings")).toBe(chunks);
    expect(await count(temp.db, "select count(*) as n from rag_documents")).toBe(
      FIXTURE_CORPUS.length,
    );
  });

  it("reuses the data on a second start: nothing seeded or embedded again", async () => {
    const temp = await tempDb();
    await ragOn(temp.db, await llmOf()).start();
    const llm = await llmOf();
    const again = ragOn(temp.db, llm);
    await again.start();
    expect(chunkInputs(llm)).toBe(0);
    expect(await count(temp.db, "select count(*) as n from rag_documents")).toBe(
      FIXTURE_CORPUS.length,
    );
  });

  it("does not seed back a seeded document that was deleted", async () => {
    const temp = await tempDb();
    const rag = ragOn(temp.db, await llmOf());
    await rag.start();
    expect((await rag.app.request("/documents/1", { method: "DELETE" })).status).toBe(204);
    await ragOn(temp.db, await llmOf()).start();
    expect(await count(temp.db, "select count(*) as n from rag_documents")).toBe(
      FIXTURE_CORPUS.length - 1,
    );
  });

  it("seeds the seedDocs most recent addresses, and none with 0", async () => {
    const temp = await tempDb();
    await ragOn(temp.db, await llmOf(), { seedDocs: 2 }).start();
    const years = await temp.db.all<{ year: number }>(
      "select year from rag_documents order by year",
    );
    expect(years.map((r) => r.year)).toEqual([1911, 1962]);

    const empty = await tempDb();
    const rag = ragOn(empty.db, await llmOf(), { seedDocs: 0 });
    await rag.start();
    expect(await count(empty.db, "select count(*) as n from rag_documents")).toBe(0);
    expect(rag.health().ready).toBe(true);
  });

  it("fails when vectorBackend is vec0 and sqlite-vec is not loaded on the pool's connections", async () => {
    const temp = await tempDb();
    const rag = ragOn(temp.db, await llmOf(), { vectorBackend: "vec0" });
    await expect(rag.start()).rejects.toMatchObject({
      code: "RAG_INVALID_OPTION",
      option: "vectorBackend",
    });
    expect(rag.health()).toMatchObject({ state: "failed", ready: false });
    expect((await rag.app.request("/documents")).status).toBe(503);
  });
});

describe("start() after an embedding model change", () => {
  it("re-embeds every chunk in the background with progress, then drops the old vectors", async () => {
    const temp = await tempDb();
    const before = await llmOf({ embedModel: "embed-a", dimensions: 64 });
    await ragOn(temp.db, before).start();
    const chunks = await count(temp.db, "select count(*) as n from rag_chunks");

    const after = await llmOf({ embedModel: "embed-b", dimensions: 96 });
    const rag = ragOn(temp.db, after);
    const gate = after.gateEmbeds(2);
    const started = rag.start();
    await gate.held;
    const health = rag.health();
    expect(health.state).toBe("seeding");
    expect(health.progress).toMatchObject({ done: 2, total: chunks, unit: "chunks" });
    expect(health.detail).toContain("re-embedding");
    expect(health.detail).toContain("embed-b@96");
    expect((await rag.app.request("/ask", ASK)).status).toBe(503);
    // Until the new space is complete, the old vectors are all still there, apart.
    expect(
      await count(temp.db, "select count(*) as n from rag_embeddings where model = 'embed-a@64'"),
    ).toBe(chunks);

    gate.release();
    await started;
    const spaces = await temp.db.all<{ model: string; n: number }>(
      "select model, count(*) as n from rag_embeddings group by model",
    );
    expect(spaces).toEqual([{ model: "embed-b@96", n: chunks }]);
    expect(chunkInputs(after)).toBe(chunks);
    const meta = await temp.db.all<{ key: string; value: string }>(
      "select key, value from rag_meta where key in ('embed_model', 'dimensions') order by key",
    );
    expect(meta).toEqual([
      { key: "dimensions", value: "96" },
      { key: "embed_model", value: "embed-b" },
    ]);
    const res = await rag.app.request("/ask", ASK);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { citations: unknown[] };
    expect(body.citations.length).toBeGreaterThan(0);
  });

  it("treats the same model name answering another dimension as a change", async () => {
    const temp = await tempDb();
    await ragOn(temp.db, await llmOf({ embedModel: "embed", dimensions: 64 })).start();
    const llm = await llmOf({ embedModel: "embed", dimensions: 128 });
    await ragOn(temp.db, llm).start();
    const spaces = await temp.db.all<{ model: string }>(
      "select distinct model from rag_embeddings",
    );
    expect(spaces).toEqual([{ model: "embed@128" }]);
  });
});

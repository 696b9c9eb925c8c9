import { afterEach, describe, expect, it } from "bun:test";
import type { ExampleApp } from "@app/kit";
import { SqlitePool, type SqlitePoolOptions } from "@pool/sqlite";
import * as sqliteVec from "sqlite-vec";
import { createRagApp } from "../src/index.ts";
import { ragMigrations } from "../src/migrations.ts";
import type { RagAppOptions } from "../src/options.ts";
import { SMALL } from "./rag-fixture.ts";
import { openTempDb, type TempDb } from "./temp-db.ts";
import { openTestLlm, type TestLlm } from "./test-llm.ts";

const VEC = { extensions: [sqliteVec.getLoadablePath()] };
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setUp(poolOptions: Parameters<typeof openTempDb>[0] = {}) {
  const llm = await openTestLlm();
  const temp = await openTempDb(poolOptions);
  cleanup.push(async () => {
    await temp.close();
    await llm.close();
  });
  return { llm, temp };
}

function ragOn(db: SqlitePool, llm: TestLlm, options: Partial<RagAppOptions> = {}): ExampleApp {
  const rag = createRagApp({ db, llm, ...SMALL, ...options });
  cleanup.push(async () => {
    await rag.close?.();
  });
  return rag;
}

async function ask(rag: ExampleApp, question: string) {
  const res = await rag.app.request("/ask", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ question, topK: 8 }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { citations: { chunkId: number; score: number }[] }).citations;
}

async function count(db: SqlitePool, sql: string): Promise<number> {
  return (await db.get<{ n: number }>(sql))!.n;
}

const QUESTIONS = [
  "What did the eagles lay?",
  "Where was radium isolated?",
  "What can the analytical engine compose?",
  "Which traits are inherited independently?",
];

describe("the vec0 backend (sqlite-vec loaded on every pool connection)", () => {
  it("is detected and named in health, and ranks exactly as the JS cosine scan does", async () => {
    const withVec = await setUp(VEC);
    const withoutVec = await setUp();
    const vec0 = ragOn(withVec.temp.db, withVec.llm);
    const js = ragOn(withoutVec.temp.db, withoutVec.llm);
    await Promise.all([vec0.start(), js.start()]);
    expect(vec0.health().detail).toContain("vec0 (sqlite-vec v0.1.9)");
    expect(js.health().detail).toContain("JS cosine scan");
    for (const question of QUESTIONS) {
      const [a, b] = await Promise.all([ask(vec0, question), ask(js, question)]);
      expect(a.map((c) => c.chunkId)).toEqual(b.map((c) => c.chunkId));
      expect(a.map((c) => c.score)).toEqual(b.map((c) => c.score));
    }
  });

  it("keeps rag_vec in step on insert and delete", async () => {
    const { llm, temp } = await setUp(VEC);
    const rag = ragOn(temp.db, llm);
    await rag.start();
    const vectors = () => count(temp.db, "select count(*) as n from rag_vec");
    const chunks = () => count(temp.db, "select count(*) as n from rag_chunks");
    expect(await vectors()).toBe(await chunks());

    const res = await rag.app.request("/documents", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        title: "Tides",
        body: "The moon pulls the oceans into two bulges. Spring tides follow the new moon.",
      }),
    });
    const { id } = (await res.json()) as { id: number };
    expect(await vectors()).toBe(await chunks());
    const [top] = await ask(rag, "What pulls the oceans into bulges?");
    expect(
      (await temp.db.get<{ document_id: number }>(
        "select document_id from rag_chunks where id = ?",
        [top!.chunkId],
      ))!.document_id,
    ).toBe(id);

    await rag.app.request(`/documents/${id}`, { method: "DELETE" });
    expect(await vectors()).toBe(await chunks());
  });

  it("rebuilds rag_vec from the stored vectors, without the LLM, after a process without sqlite-vec wrote", async () => {
    const { llm, temp } = await setUp(VEC);
    await ragOn(temp.db, llm).start();
    expect(await count(temp.db, "select count(*) as n from rag_vec")).toBeGreaterThan(0);

    // The same file opened without sqlite-vec: the JS scan serves, and a new document marks rag_vec stale.
    const plainDb = await poolOn(temp, {});
    const plain = ragOn(plainDb, llm);
    await plain.start();
    expect(plain.health().detail).toContain("JS cosine scan");
    const res = await plain.app.request("/documents", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "Tides", body: "The moon pulls the oceans into two bulges." }),
    });
    expect(res.status).toBe(201);
    expect((await ask(plain, "What pulls the oceans?")).length).toBeGreaterThan(0);

    llm.standinServer.reset();
    const vecDb = await poolOn(temp, VEC);
    const rag = ragOn(vecDb, llm);
    await rag.start();
    expect(rag.health().detail).toContain("vec0");
    expect(await count(vecDb, "select count(*) as n from rag_vec")).toBe(
      await count(vecDb, "select count(*) as n from rag_chunks"),
    );
    const inputs = llm.standinServer.requests
      .filter((r) => r.endpoint === "embed")
      .reduce((sum, r) => sum + (r.inputs ?? 0), 0);
    expect(inputs).toBe(1); // the dimension probe only: nothing re-embedded
  });
});

/** Another pool on the file of `temp`, with other options (closed after the test). */
async function poolOn(temp: TempDb, options: Partial<SqlitePoolOptions>): Promise<SqlitePool> {
  const db = new SqlitePool({ path: temp.path, ...options });
  cleanup.push(() => db.close());
  await db.migrate("rag", ragMigrations);
  return db;
}

import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqlitePool } from "@pool/sqlite";
import { AnswerCache, type CacheScope } from "./answer-cache.ts";
import { cagMigrations } from "./migrations.ts";

let dir: string;
let db: SqlitePool;
let now = 1_000_000;
const cache = () => new AnswerCache(db, { now: () => now, ttlS: 3_600, maxEntries: 100 });
const scope: CacheScope = { model: "llama3.2", contextHash: "c1", embedModel: "nomic-embed-text" };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "cag-cache-"));
  db = new SqlitePool({ path: join(dir, "cache.db") });
  await db.migrate("cag", cagMigrations);
});
afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function store(c: AnswerCache, question: string, embedding = [1, 0, 0]) {
  const key = c.keyOf(question);
  await c.put({ key, question, normalized: question, answer: `answer to ${question}`, embedding });
  return key;
}

describe("AnswerCache.open", () => {
  it("purges the entries of another chat model, context or embedding model", async () => {
    const first = cache();
    await first.open(scope);
    await store(first, "jobs");
    for (const changed of [
      { ...scope, model: "qwen2.5" },
      { ...scope, contextHash: "c2" },
      { ...scope, embedModel: "mxbai-embed-large" },
    ]) {
      const c = cache();
      await c.open(scope);
      if ((await c.size()).entries === 0) await store(c, "jobs");
      const other = cache();
      expect(await other.open(changed)).toBe(1);
      expect((await other.size()).entries).toBe(0);
    }
  });

  it("keys a question by model and context: another scope never finds it", async () => {
    const a = cache();
    await a.open(scope);
    const b = cache();
    await b.open({ ...scope, model: "qwen2.5" });
    expect(a.keyOf("jobs")).not.toBe(b.keyOf("jobs"));
    expect(a.keyOf("jobs")).toBe(a.keyOf("jobs"));
  });

  it("keeps the entries of the same scope across instances, with their embeddings", async () => {
    const a = cache();
    await a.open(scope);
    await store(a, "jobs", [0, 1, 0]);
    const b = cache();
    expect(await b.open(scope)).toBe(0);
    expect((await b.getExact(b.keyOf("jobs")))?.answer).toBe("answer to jobs");
    expect((await b.findSemantic([0, 0.999, 0.01], 0.95))?.question).toBe("jobs");
    expect(await b.findSemantic([1, 0, 0], 0.95)).toBeUndefined();
  });
});

describe("AnswerCache.getExact", () => {
  it("counts hits and refreshes the LRU time", async () => {
    const c = cache();
    await c.open(scope);
    const key = await store(c, "jobs");
    now += 5_000;
    expect((await c.getExact(key))?.hits).toBe(1);
    expect((await c.getExact(key))?.hits).toBe(2);
    const row = await db.get<{ last_used_at_ms: number }>(
      "select last_used_at_ms from cag_answers where key = ?",
      [key],
    );
    expect(row?.last_used_at_ms).toBe(now);
  });
});

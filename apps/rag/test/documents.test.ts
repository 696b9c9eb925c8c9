import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type RagFixture, startRag } from "./rag-fixture.ts";

let f: RagFixture;

beforeAll(async () => {
  f = await startRag();
});

afterAll(async () => {
  await f.close();
});

interface Answer {
  citations: { documentId: number; chunkId: number }[];
}

const LIGHTHOUSE = {
  title: "Keeper's Log, Lighthouse 1890",
  year: 1890,
  president: "The Keeper",
  body:
    "The lighthouse lamp burned whale oil until the winter of the great storm. " +
    "Afterwards the keeper switched the lamp to kerosene, which burned brighter and cleaner. " +
    "Ships rounding the cape could see the beam from twenty miles out. " +
    "The fog bell rang every ten seconds whenever the harbour was shrouded. " +
    "Supplies arrived by rowing boat on the first Monday of every month, weather permitting. " +
    "The keeper's daughter trimmed the wicks and polished the great lens each morning. " +
    "In the spring gale of 1893 the lantern glass cracked and was replaced within a week. " +
    "Gulls nested on the gallery rail and woke the household before dawn.",
};

async function counts() {
  const one = async (sql: string) => (await f.temp.db.get<{ n: number }>(sql))!.n;
  return {
    documents: await one("select count(*) as n from rag_documents"),
    chunks: await one("select count(*) as n from rag_chunks"),
    fts: await one("select count(*) as n from rag_chunks_fts"),
    vectors: await one("select count(*) as n from rag_embeddings"),
  };
}

describe("POST /documents", () => {
  it("answers 201 with the id and the chunk count, and the document is cited at once", async () => {
    const res = await f.post("/documents", LIGHTHOUSE);
    expect(res.status).toBe(201);
    const { id, chunks } = (await res.json()) as { id: number; chunks: number };
    expect(chunks).toBeGreaterThan(2);
    const stored = await f.temp.db.get<{ n: number }>(
      "select count(*) as n from rag_chunks c join rag_embeddings e on e.chunk_id = c.id where c.document_id = ?",
      [id],
    );
    expect(stored!.n).toBe(chunks);
    const answer = (await (
      await f.post("/ask", { question: "What did the lighthouse lamp burn?" })
    ).json()) as Answer;
    expect(answer.citations[0]!.documentId).toBe(id);
  });

  it("embeds in batches through /api/embed with an array input, before writing", async () => {
    f.llm.standinServer.reset();
    const res = await f.post("/documents", { ...LIGHTHOUSE, title: "Copy" });
    const { chunks } = (await res.json()) as { chunks: number };
    const embeds = f.llm.standinServer.requests.filter((r) => r.endpoint === "embed");
    // embedBatchSize is 2 in the fixture.
    expect(embeds.map((r) => r.inputs)).toEqual(
      Array.from({ length: Math.ceil(chunks / 2) }, (_, i) => Math.min(2, chunks - 2 * i)),
    );
  });

  it("stores nothing and answers 503 LLM_UNAVAILABLE when the embedding fails", async () => {
    const before = await counts();
    await f.llm.standinServer.setFaults({ down: true });
    try {
      const res = await f.post("/documents", LIGHTHOUSE);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        "LLM_UNAVAILABLE",
      );
    } finally {
      await f.llm.standinServer.setFaults({});
    }
    expect(await counts()).toEqual(before);
  });

  it.each([
    ["no title", { body: "Text." }, "title"],
    ["an empty body", { title: "T", body: "" }, "body"],
    ["a blank body", { title: "T", body: "   " }, "body"],
    ["a NUL in the body", { title: "T", body: "a\u0000b" }, "body"],
    ["a year as text", { title: "T", body: "Text.", year: "1900" }, "year"],
  ])("answers 400 VALIDATION_FAILED for %s", async (_label, body, field) => {
    const res = await f.post("/documents", body);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; field: string } };
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.field).toBe(field);
  });
});

describe("GET /documents", () => {
  it("pages through every document once, newest first, with total and chunk counts", async () => {
    const seen: number[] = [];
    let total = 0;
    for (let offset = 0; ; offset += 2) {
      const res = await f.rag.app.request(`/documents?limit=2&offset=${offset}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as {
        documents: { id: number; chunks: number }[];
        total: number;
      };
      total = page.total;
      if (page.documents.length === 0) break;
      for (const doc of page.documents) expect(doc.chunks).toBeGreaterThan(0);
      seen.push(...page.documents.map((d) => d.id));
    }
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
  });

  it("answers 400 for a limit out of range", async () => {
    expect((await f.rag.app.request("/documents?limit=0")).status).toBe(400);
    expect((await f.rag.app.request("/documents?limit=101")).status).toBe(400);
    expect((await f.rag.app.request("/documents?offset=-1")).status).toBe(400);
  });
});

describe("DELETE /documents/:id", () => {
  it("removes the document, its chunks, their FTS entries and vectors, and its citations", async () => {
    const question = { question: "What did the eagles lay?", topK: 50 };
    const cited = ((await (await f.post("/ask", question)).json()) as Answer).citations[0]!
      .documentId;
    const before = await counts();
    const owned = (await f.temp.db.get<{ n: number }>(
      "select count(*) as n from rag_chunks where document_id = ?",
      [cited],
    ))!.n;

    const res = await f.rag.app.request(`/documents/${cited}`, { method: "DELETE" });
    expect(res.status).toBe(204);

    expect(await counts()).toEqual({
      documents: before.documents - 1,
      chunks: before.chunks - owned,
      fts: before.fts - owned,
      vectors: before.vectors - owned,
    });
    const after = (await (await f.post("/ask", question)).json()) as Answer;
    expect(after.citations.length).toBeGreaterThan(0);
    expect(after.citations.some((c) => c.documentId === cited)).toBe(false);
  });

  it("answers 404 DOCUMENT_NOT_FOUND for an unknown id and 400 for a bad one", async () => {
    const missing = await f.rag.app.request("/documents/999999", { method: "DELETE" });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe(
      "DOCUMENT_NOT_FOUND",
    );
    expect((await f.rag.app.request("/documents/abc", { method: "DELETE" })).status).toBe(400);
    expect((await f.rag.app.request("/documents/0", { method: "DELETE" })).status).toBe(400);
  });
});

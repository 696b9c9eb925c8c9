import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { RRF_K } from "../src/rank-fusion.ts";
import { requestOllama } from "../src/request-ollama.ts";
import { retrieve } from "../src/retriever.ts";
import { embeddingSpace, VectorStore } from "../src/vector-store.ts";
import { type RagFixture, startRag } from "./rag-fixture.ts";

interface Answer {
  answer: string;
  citations: {
    documentId: number;
    title: string;
    chunkId: number;
    excerpt: string;
    score: number;
  }[];
  model: string;
  timings: Record<string, number>;
}

let f: RagFixture;

beforeAll(async () => {
  f = await startRag();
});

afterAll(async () => {
  await f.close();
});

async function chunkHolding(sentence: string): Promise<number> {
  const rows = await f.temp.db.all<{ id: number }>(
    "select id from rag_chunks where instr(text, ?) > 0",
    [sentence],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.id;
}

describe("POST /ask", () => {
  it.each([
    ["What did the eagles lay?", "Eagles laid eggs with shells too thin to survive incubation."],
    [
      "In what ratio do the recessive traits appear?",
      "Dominant and recessive traits appear in the ratio",
    ],
    ["Where was radium isolated?", "Radium was isolated from tons of pitchblende"],
  ])(
    "cites the one chunk holding the answer to %p first, with the highest fused score",
    async (question, fact) => {
      const expected = await chunkHolding(fact);
      const res = await f.post("/ask", { question });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Answer;
      expect(body.citations[0]!.chunkId).toBe(expected);
      const [best, ...rest] = body.citations.map((c) => c.score);
      for (const score of rest) expect(best!).toBeGreaterThan(score);
      expect(body.answer).toContain(fact);
      expect(body.model).toBe(f.llm.chatModel);
    },
  );

  it("answers with citations carrying document, title, chunk, excerpt and score, and the time split", async () => {
    const res = await f.post("/ask", { question: "What did the punched cards direct?", topK: 3 });
    const body = (await res.json()) as Answer;
    expect(body.citations).toHaveLength(3);
    const top = body.citations[0]!;
    expect(top.title).toBe("Ada Lovelace, Address on Engines 1843");
    expect(top.excerpt.length).toBeGreaterThan(0);
    expect(top.excerpt.length).toBeLessThanOrEqual(241);
    for (const key of ["retrievalMs", "embeddingMs", "generationMs", "totalMs"]) {
      expect(body.timings[key]).toBeGreaterThanOrEqual(0);
    }
  });

  it("sends every chat request with the Llm's num_ctx and keep_alive, and embeds with its keep_alive", async () => {
    f.llm.standinServer.reset();
    await f.post("/ask", { question: "What travels through the food chain?" });
    await f
      .post("/ask", { question: "What travels through the food chain?", stream: true })
      .then((r) => r.text());
    const requests = f.llm.standinServer.requests;
    const chats = requests.filter((r) => r.endpoint === "chat");
    expect(chats).toHaveLength(2);
    for (const chat of chats) {
      expect(chat.numCtx).toBe(8192);
      expect(chat.keepAlive).toBe("7m");
    }
    const embeds = requests.filter((r) => r.endpoint === "embed");
    expect(embeds.length).toBeGreaterThan(0);
    for (const embed of embeds) expect(embed.keepAlive).toBe("7m");
  });

  it.each([
    ["an empty question", { question: "" }, "question"],
    ["a blank question", { question: "   " }, "question"],
    ["a question of 2,001 characters", { question: "x".repeat(2001) }, "question"],
    ["no question", {}, "question"],
    ["a number as question", { question: 42 }, "question"],
    ["topK 0", { question: "ok?", topK: 0 }, "topK"],
    ["topK 51", { question: "ok?", topK: 51 }, "topK"],
    ["topK 2.5", { question: "ok?", topK: 2.5 }, "topK"],
    ["topK as a string", { question: "ok?", topK: "5" }, "topK"],
    ["stream as a string", { question: "ok?", stream: "yes" }, "stream"],
  ])(
    "answers 400 VALIDATION_FAILED naming the field for %s, without calling the LLM",
    async (_label, body, field) => {
      const calls = f.llm.standinServer.calls.embed;
      const res = await f.post("/ask", body);
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; field: string } };
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.field).toBe(field);
      expect(f.llm.standinServer.calls.embed).toBe(calls);
    },
  );

  it("accepts a question of exactly 2,000 characters and topK 1 and 50", async () => {
    for (const body of [
      { question: `eagles ${"a".repeat(1993)}` },
      { question: "eagles?", topK: 1 },
      { question: "eagles?", topK: 50 },
    ]) {
      expect((await f.post("/ask", body)).status).toBe(200);
    }
  });

  it("answers 400 INVALID_JSON for a body that is not JSON", async () => {
    const res = await f.rag.app.request("/ask", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"question": "eagles',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INVALID_JSON");
  });
});

describe("POST /ask when the LLM fails", () => {
  it("answers 503 LLM_UNAVAILABLE when the LLM is down, asks for a re-check, and keeps the document routes up", async () => {
    const rechecks = f.llm.rechecks;
    await f.llm.standinServer.setFaults({ down: true });
    try {
      const res = await f.post("/ask", { question: "What did the eagles lay?" });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        "LLM_UNAVAILABLE",
      );
      expect(f.llm.rechecks).toBeGreaterThan(rechecks);
      expect((await f.rag.app.request("/documents")).status).toBe(200);
    } finally {
      await f.llm.standinServer.setFaults({});
    }
    expect((await f.post("/ask", { question: "What did the eagles lay?" })).status).toBe(200);
  });

  it("answers 503 LLM_UNAVAILABLE at once, without calling it, when the server's check says it is down", async () => {
    const calls = { ...f.llm.standinServer.calls };
    f.llm.currentState.reachable = false;
    f.llm.currentState.error = { code: "HTTP_CONNECT_FAILED", message: "refused" };
    try {
      const res = await f.post("/ask", { question: "What did the eagles lay?" });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        "LLM_UNAVAILABLE",
      );
      expect(f.llm.standinServer.calls).toEqual(calls);
    } finally {
      f.llm.currentState.reachable = true;
      f.llm.currentState.error = undefined;
    }
  });

  it("answers 502 LLM_ERROR when the chat call fails with a 500", async () => {
    await f.llm.standinServer.setFaults({
      status: 500,
      message: "out of memory",
      endpoints: ["chat"],
      times: 1,
    });
    const res = await f.post("/ask", { question: "What did the eagles lay?" });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("LLM_ERROR");
  });
});

describe("hybrid retrieval", () => {
  it("ranks every chunk found by both BM25 and KNN above every chunk found by one of them", async () => {
    const store = new VectorStore(f.temp.db, "js", embeddingSpace(f.llm.embedModel, 384));
    const deps = {
      db: f.temp.db,
      store,
      llm: f.llm,
      ollama: requestOllama(f.llm, new AbortController().signal),
      dimensions: 384,
    };
    const { chunks } = await retrieve(deps, "Which seeds return wrinkled after round seeds?", 20);
    const both = (c: (typeof chunks)[number]) =>
      c.ftsRank !== undefined && c.vectorRank !== undefined;
    expect(chunks.some(both)).toBe(true);
    expect(chunks.some((c) => !both(c))).toBe(true);
    const firstSingle = chunks.findIndex((c) => !both(c));
    expect(chunks.slice(firstSingle).some(both)).toBe(false);
    for (const c of chunks) {
      const expected = [c.ftsRank, c.vectorRank].reduce<number>(
        (sum, rank) => sum + (rank === undefined ? 0 : 1 / (RRF_K + rank)),
        0,
      );
      expect(c.score).toBeCloseTo(expected, 12);
    }
  });

  it("still answers from the vector list when the question has no content word for BM25", async () => {
    const res = await f.post("/ask", { question: "What is it that they were?" });
    expect(res.status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type RagFixture, startRag } from "./rag-fixture.ts";
import { parseSse, until } from "./sse.ts";

let f: RagFixture;

beforeAll(async () => {
  // One word per chunk, 30 ms apart: an answer streams for long enough to be interrupted.
  f = await startRag({ heartbeatMs: 20 }, { wordsPerChunk: 1, chunkDelayMs: 30 });
});

afterAll(async () => {
  await f.close();
});

const QUESTION = { question: "What did the eagles lay?" };

function originStats() {
  return f.llm.pool.stats().origins[f.llm.origin]!;
}

describe("POST /ask streamed", () => {
  it("sends citations, then tokens, then done with the timings, as text/event-stream", async () => {
    const res = await f.post("/ask", { ...QUESTION, stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = parseSse(await res.text()).filter((item) => item.event !== undefined);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe("citations");
    expect(names.at(-1)).toBe("done");
    expect(names.slice(1, -1).every((name) => name === "token")).toBe(true);
    expect(names.length).toBeGreaterThan(3);
    const citations = (events[0]!.data as { citations: { chunkId: number }[] }).citations;
    expect(citations.length).toBe(5);
    const answer = events
      .filter((e) => e.event === "token")
      .map((e) => (e.data as { content: string }).content)
      .join("");
    expect(answer).toContain("Eagles laid eggs");
    const done = events.at(-1)!.data as { timings: Record<string, number>; doneReason: string };
    expect(Object.keys(done.timings).sort()).toEqual([
      "embeddingMs",
      "generationMs",
      "retrievalMs",
      "totalMs",
    ]);
    expect(done.doneReason).toBe("stop");
  });

  it("streams when the client sends Accept: text/event-stream, without stream: true", async () => {
    const res = await f.post("/ask", QUESTION, { accept: "text/event-stream" });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(parseSse(await res.text())[0]!.event).toBe("citations");
  });

  it("sends : ping comments while the model is silent", async () => {
    // The head of the chat answer comes 400 ms late: 20 heartbeat periods.
    await f.llm.standinServer.setFaults({
      headersDelayMs: { chat: 400 },
      endpoints: ["chat"],
      times: 1,
    });
    const items = parseSse(await (await f.post("/ask", { ...QUESTION, stream: true })).text());
    const firstToken = items.findIndex((item) => item.event === "token");
    expect(items.slice(1, firstToken).some((item) => item.comment === "ping")).toBe(true);
  });

  it("turns a mid-stream error line from the LLM into an error event, not a silent end", async () => {
    await f.llm.standinServer.setFaults({
      midStreamErrorAfterChunks: 2,
      message: "model runner crashed",
      endpoints: ["chat"],
      times: 1,
    });
    const events = parseSse(
      await (await f.post("/ask", { ...QUESTION, stream: true })).text(),
    ).filter((item) => item.event !== undefined);
    expect(events.map((e) => e.event)).toEqual(["citations", "token", "token", "error"]);
    const error = events.at(-1)!.data as { code: string; message: string };
    expect(error.code).toBe("LLM_STREAM_ERROR");
    expect(error.message).toContain("model runner crashed");
  });

  it("sends an error event with LLM_UNAVAILABLE when the LLM connection drops mid-answer", async () => {
    await f.llm.standinServer.setFaults({ dropAfterChunks: 2, endpoints: ["chat"], times: 1 });
    const events = parseSse(
      await (await f.post("/ask", { ...QUESTION, stream: true })).text(),
    ).filter((item) => item.event !== undefined);
    expect(events.at(-1)!.event).toBe("error");
    expect((events.at(-1)!.data as { code: string }).code).toBe("LLM_UNAVAILABLE");
    expect(events.some((e) => e.event === "done")).toBe(false);
  });
});

describe("POST /ask streamed, client gone", () => {
  /** Starts a streamed answer and reads until its first token. */
  async function streamUntilFirstToken(signal?: AbortSignal) {
    const res = await f.rag.app.request(
      new Request("http://rag.test/ask", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...QUESTION, stream: true }),
        ...(signal ? { signal } : {}),
      }),
    );
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("event: token")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the stream ended before its first token");
      text += decoder.decode(value);
    }
    return reader;
  }

  async function expectUpstreamAborted(before: { standin: number; closed: number }) {
    await until(
      () => f.llm.standinServer.aborted === before.standin + 1,
      "the stand-in to see its request aborted",
    );
    await until(
      () => originStats().requests.inFlight === 0,
      "the pool's in-flight count to reach 0",
    );
    expect(originStats().connections!.closed.aborted).toBe(before.closed + 1);
    expect(f.llm.standinServer.aborted).toBe(before.standin + 1);
  }

  it("aborts the upstream chat when the request's signal fires; the pool closes that socket", async () => {
    const before = {
      standin: f.llm.standinServer.aborted,
      closed: originStats().connections!.closed.aborted,
    };
    const controller = new AbortController();
    await streamUntilFirstToken(controller.signal);
    controller.abort();
    await expectUpstreamAborted(before);
  });

  it("aborts the upstream chat when the response stream is cancelled (stream.onAbort)", async () => {
    const before = {
      standin: f.llm.standinServer.aborted,
      closed: originStats().connections!.closed.aborted,
    };
    const reader = await streamUntilFirstToken();
    await reader.cancel();
    await expectUpstreamAborted(before);
  });

  it("still answers whole afterwards on the same pool", async () => {
    const res = await f.post("/ask", QUESTION);
    expect(res.status).toBe(200);
  });
});

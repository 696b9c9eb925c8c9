import { afterEach, describe, expect, it } from "bun:test";
import { type AskJson, type ErrorJson, Harness } from "./harness.ts";
import { events, parseSse } from "./sse.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const QUESTION = "How many jobs did the economy add?";

describe("POST /ask streamed (SSE)", () => {
  it("sends token events, then one done event with the whole answer", async () => {
    h = await Harness.start({ standin: { wordsPerChunk: 2 } });
    const res = await h.ask(QUESTION, { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const list = events(parseSse(await res.text()));
    const tokens = list.slice(0, -1);
    const done = list.at(-1)!;
    expect(tokens.length).toBeGreaterThan(2);
    expect(tokens.every((e) => e.event === "token")).toBe(true);
    expect(done.event).toBe("done");
    const answer = done.data as AskJson;
    expect(answer).toMatchObject({ cache: "miss", model: "standin-chat" });
    expect(tokens.map((e) => (e.data as { content: string }).content).join("")).toBe(answer.answer);
    expect(answer.timings.promptEvalMs).toBeGreaterThanOrEqual(0);
  });

  it("streams when asked through Accept: text/event-stream too", async () => {
    h = await Harness.start();
    const res = await h.ask(
      QUESTION,
      {},
      {
        headers: { "content-type": "application/json", accept: "text/event-stream" },
      },
    );
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(events(parseSse(await res.text())).at(-1)!.event).toBe("done");
  });

  it("streams a cached answer as one token event and done", async () => {
    h = await Harness.start();
    const first = await h.askJson(QUESTION);
    const list = events(parseSse(await (await h.ask(QUESTION, { stream: true })).text()));
    expect(list.map((e) => e.event)).toEqual(["token", "done"]);
    expect(list[0]!.data).toEqual({ content: first.answer });
    expect(list[1]!.data).toMatchObject({ cache: "exact", answer: first.answer });
  });

  it("ends with an error event when the LLM fails mid-answer", async () => {
    h = await Harness.start({ standin: { wordsPerChunk: 2 } });
    await h.standin.setFaults({ midStreamErrorAfterChunks: 3, endpoints: ["chat"], times: 1 });
    const res = await h.ask(QUESTION, { stream: true });
    expect(res.status).toBe(200);
    const list = events(parseSse(await res.text()));
    expect(list.map((e) => e.event)).toEqual(["token", "token", "token", "error"]);
    expect((list[3]!.data as { code: string }).code).toBe("LLM_STREAM_ERROR");
  });

  it("answers a failure that comes before any token with its status, not a stream", async () => {
    h = await Harness.start();
    await h.standin.setFaults({ down: true });
    await h.llm.recheck();
    const res = await h.ask(QUESTION, { stream: true });
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorJson).error.code).toBe("LLM_UNAVAILABLE");
  });

  it("sends ': ping' comments while the LLM is silent", async () => {
    // The stand-in holds its answer's head 300 ms; the heartbeat is every 20 ms.
    h = await Harness.start({ app: { heartbeatMs: 20 } });
    await h.standin.setFaults({ headersDelayMs: { chat: 300 }, times: 1 });
    const items = parseSse(await (await h.ask(QUESTION, { stream: true })).text());
    const firstToken = items.findIndex((item) => "event" in item && item.event === "token");
    const pings = items.slice(0, firstToken).filter((item) => "comment" in item);
    expect(pings.length).toBeGreaterThan(0);
    expect(pings.every((item) => "comment" in item && item.comment === "ping")).toBe(true);
    expect(events(items).at(-1)!.event).toBe("done");
  });

  it("aborts the LLM request when the client disconnects", async () => {
    h = await Harness.start({ standin: { chunkDelayMs: 20, wordsPerChunk: 1 } });
    const controller = new AbortController();
    const res = await h.ask(QUESTION, { stream: true }, { signal: controller.signal });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("event: token");
    controller.abort();
    await reader.cancel().catch(() => {});
    const deadline = Date.now() + 5_000;
    while (h.standin.aborted === 0 && Date.now() < deadline) await Bun.sleep(5);
    expect(h.standin.aborted).toBe(1);
    expect(h.cag.metrics().llmCalls).toBe(1);
    // Not cached: the next ask generates again.
    expect((await h.askJson(QUESTION)).cache).toBe("miss");
  });
});

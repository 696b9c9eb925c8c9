import { afterEach, describe, expect, it } from "bun:test";
import { type AskJson, type ErrorJson, Harness } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const QUESTION = "How many jobs did the economy add?";

describe("POST /ask: one LLM call per distinct question", () => {
  it("makes one chat and one embed call for 20 concurrent identical questions", async () => {
    // Chunks 5 ms apart keep the generation running while the others arrive.
    h = await Harness.start({ standin: { chunkDelayMs: 5 } });
    const chatsBefore = h.standin.calls.chat;
    const embedsBefore = h.standin.calls.embed;
    const spellings = [QUESTION, QUESTION.toUpperCase(), `  ${QUESTION.replace("?", "")} `];
    const answers = (await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const res = await h!.ask(spellings[i % spellings.length]);
        expect(res.status).toBe(200);
        return res.json();
      }),
    )) as AskJson[];

    expect(h.standin.calls.chat - chatsBefore).toBe(1);
    expect(h.standin.calls.embed - embedsBefore).toBe(1);
    expect(answers.filter((a) => a.cache === "miss").length).toBe(1);
    expect(answers.filter((a) => a.cache === "exact").length).toBe(19);
    expect(new Set(answers.map((a) => a.answer)).size).toBe(1);
    const metrics = h.cag.metrics();
    expect(metrics).toMatchObject({ misses: 1, llmCalls: 1, hits: { exact: 19, semantic: 0 } });
    expect(metrics.coalesced).toBeGreaterThan(0);
  });

  it("shares a failure too: every waiter gets the LLM's error, and nothing is cached", async () => {
    h = await Harness.start({ standin: { chunkDelayMs: 5 } });
    await h.standin.setFaults({ midStreamErrorAfterChunks: 2, endpoints: ["chat"], times: 1 });
    const chatsBefore = h.standin.calls.chat;
    const responses = await Promise.all(Array.from({ length: 5 }, () => h!.ask(QUESTION)));
    expect(h.standin.calls.chat - chatsBefore).toBe(1);
    for (const res of responses) {
      expect(res.status).toBe(502);
      expect(((await res.json()) as ErrorJson).error.code).toBe("LLM_STREAM_ERROR");
    }
    // The fault is spent: the next ask calls the LLM again and succeeds.
    expect((await h.askJson(QUESTION)).cache).toBe("miss");
  });

  it("keeps generating for the others when one asker leaves, and aborts when all have", async () => {
    h = await Harness.start({ standin: { chunkDelayMs: 20 } });
    const chatStarted = (before: number) => async () => {
      while (h!.standin.calls.chat === before) await Bun.sleep(1);
    };
    const leaving = new AbortController();
    const waitForChat = chatStarted(h.standin.calls.chat);
    const left = h.ask(QUESTION, {}, { signal: leaving.signal });
    const staying = h.ask(QUESTION);
    await waitForChat();
    leaving.abort();
    expect((await left).status).toBe(499);
    const stayed = (await (await staying).json()) as AskJson;
    expect(stayed.answer).toContain("jobs");
    expect(h.standin.aborted).toBe(0);

    // Alone this time: leaving aborts the request to the LLM.
    const alone = new AbortController();
    const waitForLoneChat = chatStarted(h.standin.calls.chat);
    const lone = h.ask("What happened to prescription drug prices?", {}, { signal: alone.signal });
    await waitForLoneChat();
    alone.abort();
    expect((await lone).status).toBe(499);
    const deadline = Date.now() + 5_000;
    while (h.standin.aborted === 0 && Date.now() < deadline) await Bun.sleep(5);
    expect(h.standin.aborted).toBe(1);
    // A generation nobody waited for to the end is not cached.
    expect((await h.askJson("What happened to prescription drug prices?")).cache).toBe("miss");
  });
});

describe("POST /ask after every asker of a question left", () => {
  // The abandoned resolution stays in flight until its embedding returns: an ask joining it
  // used to get its abort, a DOMException that became a 500.
  it("starts a new resolution instead of joining the abandoned one", async () => {
    h = await Harness.start({ standin: { chunkDelayMs: 5 } });
    await h.standin.setFaults({ headersDelayMs: { embed: 300 }, endpoints: ["embed"], times: 1 });
    const left = new AbortController();
    const first = h.ask(QUESTION, {}, { signal: left.signal });
    await Bun.sleep(50);
    left.abort();
    await Promise.resolve(first).catch(() => undefined);
    const second = await h.ask(QUESTION);
    expect(second.status).toBe(200);
    expect(((await second.json()) as AskJson).cache).toBe("miss");
  });
});

describe("CagApp.close", () => {
  it("refuses asks that arrive after it with 503, without touching the pools", async () => {
    h = await Harness.start();
    await h.cag.close?.();
    const chatsBefore = h.standin.calls.chat;
    const res = await h.ask(QUESTION);
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorJson).error.code).toBe("LLM_UNAVAILABLE");
    expect(h.standin.calls.chat).toBe(chatsBefore);
  });

  it("aborts the generations in flight: their askers get 503 and the LLM request ends", async () => {
    h = await Harness.start({ standin: { chunkDelayMs: 50, wordsPerChunk: 1 } });
    const before = h.standin.calls.chat;
    const pending = h.ask(QUESTION);
    while (h.standin.calls.chat === before) await Bun.sleep(1);
    await h.cag.close?.();
    const res = await pending;
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorJson).error.code).toBe("LLM_UNAVAILABLE");
    const deadline = Date.now() + 5_000;
    while (h.standin.inFlight > 0 && Date.now() < deadline) await Bun.sleep(5);
    expect(h.standin.inFlight).toBe(0);
    expect(h.standin.aborted).toBe(1);
  });
});

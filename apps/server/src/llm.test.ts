import { describe, expect, it } from "bun:test";
import { HttpTimeoutError } from "@pool/http";
import { tempServer } from "../test/temp-server.ts";

/**
 * A non-streamed generation sends its head only when the answer is done; fetch-based clients
 * die at a fixed 300 s. Scaled down: the stand-in holds the head 300 ms.
 */
const HEADERS_DELAY_MS = 300;

async function askWhole(env: Record<string, string>) {
  await using t = await tempServer(env, {
    standin: { faults: { headersDelayMs: { chat: HEADERS_DELAY_MS } } },
  });
  const { llm } = t.server;
  try {
    const answer = await llm.ollama.chat({
      model: llm.chatModel,
      messages: [
        { role: "user", content: "Context: The sky is blue.\n\nQuestion: what colour is the sky?" },
      ],
      stream: false,
      keep_alive: llm.keepAlive,
      options: { num_ctx: llm.numCtx },
    });
    return {
      answer,
      error: undefined,
      inFlight: llm.pool.stats().origins[llm.origin]!.requests.inFlight,
    };
  } catch (error) {
    return {
      answer: undefined,
      error,
      inFlight: llm.pool.stats().origins[llm.origin]!.requests.inFlight,
    };
  }
}

describe("the LLM pool", () => {
  it("waits for a late response head when LLM_HEADERS_TIMEOUT_MS is above the delay", async () => {
    const { answer, error } = await askWhole({
      LLM_HEADERS_TIMEOUT_MS: String(HEADERS_DELAY_MS * 10),
    });
    expect(error).toBeUndefined();
    expect(answer!.done).toBe(true);
    expect(answer!.message.content.length).toBeGreaterThan(0);
  });

  it("fails with HTTP_HEADERS_TIMEOUT when LLM_HEADERS_TIMEOUT_MS is below the delay", async () => {
    const { error, inFlight } = await askWhole({
      LLM_HEADERS_TIMEOUT_MS: String(Math.floor(HEADERS_DELAY_MS / 6)),
    });
    expect(error).toBeInstanceOf(HttpTimeoutError);
    expect((error as HttpTimeoutError).code).toBe("HTTP_HEADERS_TIMEOUT");
    expect(inFlight).toBe(0);
  });

  it("sends requests through the one pool: the ollama client reuses its connections", async () => {
    await using t = await tempServer();
    const { llm } = t.server;
    for (let i = 0; i < 3; i++) {
      await llm.ollama.embed({ model: llm.embedModel, input: [`text ${i}`] });
    }
    const origin = llm.pool.stats().origins[llm.origin]!;
    expect(origin.requests.total).toBeGreaterThanOrEqual(4); // the tags check + 3 embeds
    expect(origin.connections!.created).toBe(1);
    expect(llm.standinServer!.calls.embed).toBe(3);
  });
});

describe("GET /llm", () => {
  it("shows the LLM in use and what it has loaded, asked through the pool", async () => {
    await using t = await tempServer();
    const res = await t.server.app.request("/llm");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { standin: boolean; origin: string; running: unknown[] };
    expect(body).toMatchObject({ standin: true, origin: t.server.llm.origin });
    expect(body.running).toBeArray();
    expect(t.server.llm.standinServer!.calls.ps).toBe(1);
  });

  it("answers 503 LLM_UNAVAILABLE while the LLM is down; search keeps working", async () => {
    await using t = await tempServer();
    await t.server.start();
    await t.server.llm.standinServer!.setFaults({ down: true });
    const res = await t.server.app.request("/llm");
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("LLM_UNAVAILABLE");
    expect((await t.server.app.request("/search?q=freedom")).status).toBe(200);
    expect((await t.server.app.request("/health")).status).toBe(200);
  });
});

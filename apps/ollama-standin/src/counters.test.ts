import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import type { HttpPool } from "@pool/http";
import type { Ollama } from "ollama";
import { type Standin, startStandin } from "./standin.ts";
import { chatMessages, clientFor, until } from "./test-helpers.ts";

const SYSTEM = "Cats eat fish every single morning before the sun rises over the quiet hills.";

let standin: Standin;
let pool: HttpPool;
let ollama: Ollama;

beforeEach(async () => {
  standin = await startStandin({ slots: 1, wordsPerChunk: 1, chunkDelayMs: 20, maxLogEntries: 5 });
  ({ pool, ollama } = clientFor(standin));
});

afterEach(async () => {
  await pool.close();
  await standin.stop();
});

const chat = (stream: boolean) =>
  ollama.chat({
    model: standin.chatModel,
    messages: chatMessages(SYSTEM, "What do cats eat?"),
    stream: stream as true,
  });

describe("calls", () => {
  it("counts requests per endpoint", async () => {
    await ollama.list();
    await ollama.version();
    await ollama.ps();
    await ollama.embed({ model: standin.embedModel, input: ["a", "b"] });
    await ollama.chat({ model: standin.chatModel, messages: [], stream: false });
    await pool.fetch("/nowhere");
    expect({ ...standin.calls }).toEqual({
      chat: 1,
      embed: 1,
      tags: 1,
      version: 1,
      ps: 1,
      other: 1,
    });
  });
});

describe("aborted", () => {
  it("counts a streamed chat whose client aborts mid-stream, and frees its slot", async () => {
    const stream = await chat(true);
    const stopped = await (async () => {
      for await (const _ of stream) stream.abort();
    })().catch((e) => e);
    expect((stopped as Error).name).toBe("AbortError");
    await until(() => standin.aborted === 1 && standin.inFlight === 0);
    expect(standin.requests.at(-1)).toMatchObject({
      path: "/api/chat",
      aborted: true,
      status: 200,
    });
    // slots: 1, so this only completes if the aborted request gave its slot back.
    await ollama.chat({
      model: standin.chatModel,
      messages: chatMessages(SYSTEM, "Cats?"),
      stream: false,
    });
    expect(standin.aborted).toBe(1);
  });

  it("counts a request abandoned during the headers delay", async () => {
    await standin.setFaults({ headersDelayMs: 5_000 });
    const controller = new AbortController();
    const pending = pool.fetch("/api/version", { signal: controller.signal }).catch((e) => e);
    await until(() => standin.inFlight === 1);
    controller.abort();
    await pending;
    await until(() => standin.aborted === 1 && standin.inFlight === 0);
    expect(standin.requests.at(-1)).toMatchObject({ aborted: true, status: 0 });
  });

  it("counts a chat abandoned while it waited for a slot, which then never runs", async () => {
    const first = await chat(true);
    const controller = new AbortController();
    const body = JSON.stringify({
      model: standin.chatModel,
      messages: chatMessages(SYSTEM, "Cats?"),
    });
    const queued = pool
      .fetch("/api/chat", { method: "POST", body, signal: controller.signal })
      .catch((e) => e);
    await until(() => standin.inFlight === 2);
    controller.abort();
    await queued;
    await until(() => standin.aborted === 1);
    for await (const _ of first) {
      // read the first answer to its end
    }
    await until(() => standin.inFlight === 0);
    expect(standin.requests.map((r) => r.aborted)).toEqual([false, true]);
    expect(standin.requests[1]!.promptTokens).toBeUndefined();
  });

  it("does not count answers read to the end", async () => {
    for await (const _ of await chat(true)) {
      // read to the end
    }
    await chat(false);
    await until(() => standin.inFlight === 0);
    expect(standin.aborted).toBe(0);
  });
});

describe("inFlight, maxConcurrent and connectionsSeen", () => {
  it("see concurrent streams and the pool's connections", async () => {
    const many = await startStandin({ slots: 4, chunkDelayMs: 10 });
    const client = clientFor(many, 3);
    const read = async () => {
      for await (const _ of await client.ollama.chat({
        model: many.chatModel,
        messages: chatMessages(SYSTEM, "What do cats eat?"),
        stream: true,
      })) {
        // drain
      }
    };
    await Promise.all(Array.from({ length: 6 }, read));
    await until(() => many.inFlight === 0);
    expect(many.maxConcurrent).toBe(3);
    expect(many.connectionsSeen).toBe(3);
    await client.pool.close();
    await many.stop();
  });
});

describe("requests", () => {
  it("keeps the last maxLogEntries requests with their fields", async () => {
    for (let i = 0; i < 7; i++) await ollama.version();
    await ollama.embed({ model: standin.embedModel, input: ["a", "b"], keep_alive: "5m" });
    expect(standin.requests).toHaveLength(5);
    expect(standin.requests.at(-1)).toEqual({
      path: "/api/embed",
      endpoint: "embed",
      model: standin.embedModel,
      inputs: 2,
      keepAlive: "5m",
      status: 200,
      aborted: false,
    });
  });
});

describe("reset", () => {
  it("zeroes the counters, empties the log and the prefix caches", async () => {
    await chat(false);
    await ollama.version();
    standin.reset();
    expect({ ...standin.calls }).toEqual({
      chat: 0,
      embed: 0,
      tags: 0,
      version: 0,
      ps: 0,
      other: 0,
    });
    expect(standin.requests).toHaveLength(0);
    expect({ ...standin.totals }).toEqual({ promptTokens: 0, reusedTokens: 0, evalTokens: 0 });
    expect([standin.aborted, standin.maxConcurrent, standin.connectionsSeen]).toEqual([0, 0, 0]);
    await chat(false);
    expect(standin.requests[0]!.reusedTokens).toBe(0);
  });
});

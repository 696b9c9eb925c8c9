import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { HttpError, HttpPool } from "@pool/http";
import type { Ollama } from "ollama";
import { StandinError } from "./errors.ts";
import { type Standin, startStandin } from "./standin.ts";
import { chatMessages, clientFor } from "./test-helpers.ts";

const SYSTEM = "Cats eat fish every single morning before the sun rises over the hills.";

let standin: Standin;
let pool: HttpPool;
let ollama: Ollama;

beforeEach(async () => {
  standin = await startStandin({ wordsPerChunk: 1 });
  ({ pool, ollama } = clientFor(standin));
});

afterEach(async () => {
  await pool.close();
  await standin.stop();
});

// The client throws a ResponseError for an error status but does not export the class.
function expectResponseError(error: unknown, status: number): void {
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name).toBe("ResponseError");
  expect((error as { status_code: number }).status_code).toBe(status);
}

const streamChat = () =>
  ollama.chat({
    model: standin.chatModel,
    messages: chatMessages(SYSTEM, "What do cats eat?"),
    stream: true,
  });

async function eventually<T>(call: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await Bun.sleep(20);
    }
  }
}

async function collect(stream: AsyncIterable<{ message: { content: string } }>) {
  const contents: string[] = [];
  try {
    for await (const part of stream) contents.push(part.message.content);
    return { contents, error: undefined };
  } catch (error) {
    return { contents, error };
  }
}

describe("faults: headersDelayMs", () => {
  it("holds the answer back and the request still succeeds (per endpoint)", async () => {
    await standin.setFaults({ headersDelayMs: { embed: 50 } });
    const res = await ollama.embed({ model: standin.embedModel, input: "late" });
    expect(res.embeddings).toHaveLength(1);
    expect(standin.requests.at(-1)!.status).toBe(200);
  });

  it("makes a client with a shorter headers timeout fail with HTTP_HEADERS_TIMEOUT", async () => {
    await standin.setFaults({ headersDelayMs: 2_000 });
    const quick = new HttpPool({ origin: standin.url, headersTimeoutMs: 50 });
    const error = await quick.fetch("/api/version").catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error.code).toBe("HTTP_HEADERS_TIMEOUT");
    await quick.close();
  });
});

describe("faults: status", () => {
  it("answers the status with Ollama's { error } body, only on the listed endpoints", async () => {
    await standin.setFaults({ status: 503, message: "server busy", endpoints: ["chat"] });
    const error = await ollama
      .chat({ model: standin.chatModel, messages: chatMessages(SYSTEM, "Cats?"), stream: false })
      .catch((e) => e);
    expectResponseError(error, 503);
    expect(error.error).toBe("server busy");
    expect((await ollama.list()).models).toHaveLength(2);
  });

  it("clears itself after `times` requests", async () => {
    await standin.setFaults({ status: 500, times: 1 });
    expectResponseError(await ollama.version().catch((e) => e), 500);
    expect((await ollama.version()).version).toBeString();
    expect(standin.faults).toEqual({});
  });
});

describe("faults: midStreamErrorAfterChunks", () => {
  it("sends an { error } line after N chunks of a 200 stream, which the client throws", async () => {
    await standin.setFaults({ midStreamErrorAfterChunks: 2, message: "model crashed" });
    const { contents, error } = await collect(await streamChat());
    expect(contents).toEqual(["Cats ", "eat "]);
    expect(error).toBeInstanceOf(Error);
    expect(standin.requests.at(-1)).toMatchObject({ status: 200, aborted: false });
    expect(standin.inFlight).toBe(0);
  });

  it("fails a non-streamed chat with 500 and the message", async () => {
    await standin.setFaults({ midStreamErrorAfterChunks: 0, message: "model crashed" });
    const error = await ollama
      .chat({ model: standin.chatModel, messages: chatMessages(SYSTEM, "Cats?"), stream: false })
      .catch((e) => e);
    expectResponseError(error, 500);
  });
});

describe("faults: dropAfterChunks", () => {
  it("cuts the connection after N chunks: the pool's reader fails with HTTP_SOCKET_CLOSED", async () => {
    await standin.setFaults({ dropAfterChunks: 3 });
    const { contents, error } = await collect(await streamChat());
    expect(contents).toEqual(["Cats ", "eat ", "fish "]);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).code).toBe("HTTP_SOCKET_CLOSED");
    expect(standin.inFlight).toBe(0);
  });

  it("cuts an embed answer before its body", async () => {
    await standin.setFaults({ dropAfterChunks: 0, endpoints: ["embed"] });
    const error = await ollama.embed({ model: standin.embedModel, input: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error.code).toBe("HTTP_SOCKET_CLOSED");
  });
});

describe("faults: down", () => {
  it("refuses connections until lifted, then serves again on the same port", async () => {
    const port = standin.port;
    await standin.setFaults({ down: true });
    const refused = await ollama.version().catch((e) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused.code).toBe("HTTP_CONNECT_FAILED");
    await standin.setFaults({});
    expect(standin.port).toBe(port);
    // The pool fails new requests at once while it backs off after the refused connect
    // (@pool/core's failFast), so give it until its backoff ends.
    expect(await eventually(() => ollama.version())).toMatchObject({ version: expect.any(String) });
  });

  it("can start down", async () => {
    const down = await startStandin({ faults: { down: true } });
    const error = await fetch(`${down.url}/api/version`).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    await down.setFaults({});
    expect((await fetch(`${down.url}/api/version`)).status).toBe(200);
    await down.stop();
  });

  it("lets a new stand-in take the port after stop()", async () => {
    const port = standin.port;
    await standin.stop();
    const again = await startStandin({ port });
    expect((await ollama.version()).version).toBeString();
    await again.stop();
  });
});

describe("setFaults", () => {
  it("rejects an unknown fault or a bad value with STANDIN_INVALID_OPTION and keeps the old faults", async () => {
    await standin.setFaults({ status: 500, endpoints: ["chat"] });
    for (const bad of [
      { status: 200 },
      { delayMs: 5 },
      { endpoints: ["nope"] },
      { headersDelayMs: { chat: -1 } },
    ]) {
      const error = await standin.setFaults(bad as never).catch((e) => e);
      expect(error).toBeInstanceOf(StandinError);
      expect(error.code).toBe("STANDIN_INVALID_OPTION");
    }
    expect(standin.faults).toEqual({ status: 500, endpoints: ["chat"] });
  });
});

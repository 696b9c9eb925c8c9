import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type Standin, startStandin } from "./standin.ts";

let standin: Standin;

beforeAll(async () => {
  standin = await startStandin();
});

afterAll(async () => {
  await standin.stop();
});

const post = (path: string, body: unknown) =>
  fetch(`${standin.url}${path}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("errors in Ollama's shape", () => {
  it("answers 404 with Ollama's words for an unknown model, on chat and embed", async () => {
    for (const path of ["/api/chat", "/api/embed"]) {
      const res = await post(path, { model: "llama3.2", messages: [], input: "x" });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: 'model "llama3.2" not found, try pulling it first',
      });
    }
  });

  it("accepts a model name with or without :latest", async () => {
    const res = await post("/api/embed", { model: "standin-embed:latest", input: "x" });
    expect(res.status).toBe(200);
  });

  it("answers 400 { error } for broken JSON, a missing model and malformed fields", async () => {
    const bad = [
      "{not json",
      "[1, 2]",
      { messages: [] },
      { model: standin.chatModel, messages: "hello" },
      { model: standin.chatModel, messages: [{ role: "user", content: 5 }] },
      { model: standin.chatModel, stream: "yes" },
      { model: standin.chatModel, options: { num_ctx: -1 } },
      { model: standin.chatModel, keep_alive: {} },
    ];
    for (const body of bad) {
      const res = await post("/api/chat", body);
      expect(res.status).toBe(400);
      expect(typeof ((await res.json()) as { error: unknown }).error).toBe("string");
    }
    for (const body of [
      { model: standin.embedModel, input: [1] },
      { model: standin.embedModel, input: "x", dimensions: 0 },
    ]) {
      expect((await post("/api/embed", body)).status).toBe(400);
    }
  });

  it("refuses chat on the embedding model with 400", async () => {
    const res = await post("/api/chat", { model: standin.embedModel, messages: [] });
    expect(res.status).toBe(400);
  });

  it("answers 404 text for an unknown path and 405 for a wrong method", async () => {
    const missing = await fetch(`${standin.url}/api/generate`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("404 page not found");
    expect((await fetch(`${standin.url}/api/chat`)).status).toBe(405);
    expect((await post("/api/tags", {})).status).toBe(405);
  });

  it("says it is running at /", async () => {
    expect(await (await fetch(standin.url)).text()).toBe("Ollama is running");
  });
});

describe("embed", () => {
  it("honours the body's dimensions and an empty input list", async () => {
    type Embedded = { embeddings: number[][] };
    const embed = async (body: object) =>
      (await (await post("/api/embed", body)).json()) as Embedded;
    const sized = await embed({ model: standin.embedModel, input: "x y", dimensions: 8 });
    expect(sized.embeddings[0]).toHaveLength(8);
    const none = await embed({ model: standin.embedModel, input: [] });
    expect(none.embeddings).toEqual([]);
  });
});

describe("chat", () => {
  it("answers a chat without messages with an empty load line", async () => {
    const res = await post("/api/chat", { model: standin.chatModel, stream: false });
    expect(await res.json()).toMatchObject({
      done: true,
      done_reason: "load",
      message: { content: "" },
    });
  });

  it("streams NDJSON by default, as Ollama does", async () => {
    const res = await post("/api/chat", {
      model: standin.chatModel,
      messages: [{ role: "user", content: "Birds sing.\nQuestion: Do birds sing?" }],
    });
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.at(-1).done).toBe(true);
    expect(
      lines
        .slice(0, -1)
        .map((line) => line.message.content)
        .join(""),
    ).toBe("Birds sing.");
  });
});

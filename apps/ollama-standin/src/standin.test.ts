import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { HttpPool } from "@pool/http";
import { type ChatResponse, Ollama } from "ollama";
import { cosine, embedText } from "./embed-text.ts";
import { NO_ANSWER } from "./extractive-answer.ts";
import { type Standin, startStandin } from "./standin.ts";

const SYSTEM =
  "Answer from the context only.\nContext:\nCats eat fish every morning. Dogs bark at the mailman. The moon orbits the earth.";

let standin: Standin;
let pool: HttpPool;
let ollama: Ollama;

beforeAll(async () => {
  standin = await startStandin({ chunkDelayMs: 1, wordsPerChunk: 2 });
  pool = new HttpPool({ origin: standin.url, connections: 4 });
  ollama = new Ollama({ host: standin.url, fetch: pool.fetch });
});

afterAll(async () => {
  await pool.close();
  await standin.stop();
});

describe("the ollama client through an HttpPool", () => {
  it("embeds one string into one normalised vector of the stand-in's dimension", async () => {
    const res = await ollama.embed({ model: standin.embedModel, input: "The economy grew." });
    expect(res.embeddings).toHaveLength(1);
    expect(res.embeddings[0]).toHaveLength(standin.dimensions);
    expect(res.embeddings[0]).toEqual(embedText("The economy grew."));
    expect(res.prompt_eval_count).toBeGreaterThan(0);
  });

  it("embeds an array of strings in order", async () => {
    const inputs = ["cats eat fish", "the moon orbits the earth", "cats eat fish"];
    const res = await ollama.embed({ model: standin.embedModel, input: inputs });
    expect(res.embeddings).toHaveLength(3);
    expect(cosine(res.embeddings[0]!, res.embeddings[2]!)).toBeCloseTo(1, 10);
    expect(res.embeddings[1]).toEqual(embedText(inputs[1]!));
  });

  it("lists both models with name, model, size, digest and details", async () => {
    const { models } = await ollama.list();
    expect(models.map((m) => m.name)).toEqual(["standin-chat:latest", "standin-embed:latest"]);
    for (const model of models) {
      expect(model.model).toBe(model.name);
      expect(model.size).toBeGreaterThan(0);
      expect(model.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(model.details.format).toBe("gguf");
    }
  });

  it("reports a version", async () => {
    expect((await ollama.version()).version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("streams a chat answer in chunks, then a last line with the statistics", async () => {
    const parts: ChatResponse[] = [];
    const stream = await ollama.chat({
      model: standin.chatModel,
      messages: [
        { role: "system", content: SYSTEM },
        { role: "user", content: "What do cats eat?" },
      ],
      stream: true,
    });
    for await (const part of stream) parts.push(part);
    const last = parts.at(-1)!;
    const chunks = parts.slice(0, -1);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((part) => part.done === false)).toBe(true);
    expect(chunks.map((part) => part.message.content).join("")).toBe(
      "Cats eat fish every morning.",
    );
    expect(last.done).toBe(true);
    expect(last.done_reason).toBe("stop");
    expect(last.message.content).toBe("");
    expect(last.prompt_eval_count).toBeGreaterThan(0);
    expect(last.eval_count).toBeGreaterThan(0);
    for (const field of [
      "prompt_eval_duration",
      "eval_duration",
      "total_duration",
      "load_duration",
    ] as const) {
      expect(typeof last[field]).toBe("number");
    }
  });

  it("answers a non-streamed chat with one object holding the whole answer", async () => {
    const res = await ollama.chat({
      model: standin.chatModel,
      messages: [{ role: "user", content: `${SYSTEM}\nQuestion: Who barks at the mailman?` }],
      stream: false,
    });
    expect(res.done).toBe(true);
    expect(res.message).toEqual({ role: "assistant", content: "Dogs bark at the mailman." });
    expect(res.eval_count).toBeGreaterThan(0);
  });

  it("answers the fixed sentence when nothing in the context matches", async () => {
    const res = await ollama.chat({
      model: standin.chatModel,
      messages: [
        { role: "system", content: SYSTEM },
        { role: "user", content: "Who won the election?" },
      ],
      stream: false,
    });
    expect(res.message.content).toBe(NO_ANSWER);
  });
});

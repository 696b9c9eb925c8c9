import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import type { HttpPool } from "@pool/http";
import type { Ollama } from "ollama";
import { renderPrompt } from "./prompt-template.ts";
import { type Standin, startStandin } from "./standin.ts";
import { chatMessages, clientFor } from "./test-helpers.ts";
import { tokenize } from "./tokenize.ts";

const SYSTEM =
  "You answer questions about the addresses below, citing them.\n" +
  "Farmers asked for lower tariffs on machinery. The navy launched three new ships. " +
  "Railroads reached the western territories. Congress debated the currency for months.";
const NS_PER_TOKEN = 1_000;

let standin: Standin;
let pool: HttpPool;
let ollama: Ollama;

beforeEach(async () => {
  standin = await startStandin({ slots: 1, promptEvalNsPerToken: NS_PER_TOKEN });
  ({ pool, ollama } = clientFor(standin));
});

afterEach(async () => {
  await pool.close();
  await standin.stop();
});

const ask = (question: string, numCtx = 8192) =>
  ollama.chat({
    model: standin.chatModel,
    messages: chatMessages(SYSTEM, question),
    stream: false,
    options: { num_ctx: numCtx },
    keep_alive: "30m",
  });

describe("prefix cache modelling", () => {
  it("reuses the system prompt's tokens for a second question on the same slot", async () => {
    const first = await ask("What did farmers ask for?");
    const second = await ask("Where did the railroads reach?");
    // The prompts agree up to the question's first token ("What" / "Where").
    const shared = tokenize(renderPrompt(chatMessages(SYSTEM, "x"))).indexOf("x");
    const [, secondRecord] = standin.requests;
    expect(secondRecord!.reusedTokens).toBe(shared);
    expect(secondRecord!.promptTokens).toBe(second.prompt_eval_count);
    expect(second.prompt_eval_duration).toBe((second.prompt_eval_count - shared) * NS_PER_TOKEN);
    expect(second.prompt_eval_duration).toBeLessThan(first.prompt_eval_duration);
    expect(standin.totals.reusedTokens).toBe(shared);
    expect(standin.totals.promptTokens).toBe(first.prompt_eval_count + second.prompt_eval_count);
  });

  it("reuses nothing on the first request, or after num_ctx changes", async () => {
    const first = await ask("What did farmers ask for?");
    const reloaded = await ask("What did farmers ask for?", 4096);
    expect(standin.requests.map((r) => r.reusedTokens)).toEqual([0, 0]);
    expect(first.prompt_eval_duration).toBe(first.prompt_eval_count * NS_PER_TOKEN);
    expect(reloaded.prompt_eval_duration).toBe(reloaded.prompt_eval_count * NS_PER_TOKEN);
  });

  it("records num_ctx and keep_alive in the request log", async () => {
    await ask("What did the navy launch?");
    expect(standin.requests[0]).toMatchObject({ numCtx: 8192, keepAlive: "30m", slot: 0 });
  });

  it("forgets the prefix after a request with keep_alive 0, as Ollama unloads the model", async () => {
    await ollama.chat({
      model: standin.chatModel,
      messages: chatMessages(SYSTEM, "What did farmers ask for?"),
      stream: false,
      keep_alive: 0,
    });
    await ollama.chat({
      model: standin.chatModel,
      messages: chatMessages(SYSTEM, "What did farmers ask for?"),
      stream: false,
    });
    expect(standin.requests.map((r) => r.reusedTokens)).toEqual([0, 0]);
  });

  it("lists the loaded model in /api/ps once a chat has run", async () => {
    expect((await ollama.ps()).models).toHaveLength(0);
    await ask("What did the navy launch?");
    expect((await ollama.ps()).models.map((m) => m.name)).toEqual(["standin-chat:latest"]);
  });
});

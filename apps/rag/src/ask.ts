import { AppError, type Llm } from "@app/kit";
import type { SqlitePool } from "@pool/sqlite";
import type { Message, Ollama } from "ollama";
import { type Citation, toCitations } from "./citations.ts";
import { assertLlmAvailable } from "./llm-available.ts";
import { toLlmError } from "./llm-error.ts";
import { buildPrompt } from "./prompt.ts";
import { requestOllama } from "./request-ollama.ts";
import { retrieve } from "./retriever.ts";
import type { VectorStore } from "./vector-store.ts";

/** Milliseconds spent in each step of an answer. */
export interface AskTimings {
  retrievalMs: number;
  embeddingMs: number;
  generationMs: number;
  totalMs: number;
}

/** `POST /rag/ask`'s non-streamed answer. */
export interface AskAnswer {
  answer: string;
  citations: Citation[];
  model: string;
  timings: AskTimings;
}

/** A question retrieved for and ready to send to the chat model. */
export interface PreparedAsk {
  messages: Message[];
  citations: Citation[];
  /** The request's client: every call it makes is aborted with the request. */
  ollama: Ollama;
  retrievalMs: number;
  embeddingMs: number;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
}

/** What answering needs from the app. */
export interface AskDeps {
  db: SqlitePool;
  llm: Llm;
  store: VectorStore;
  dimensions: number;
}

/**
 * Retrieves the context of a question (see `retrieve`) and builds the prompt; LLM failures
 * become `LLM_UNAVAILABLE` / `LLM_ERROR` here, before any answer byte is sent.
 *
 * @example
 * ```ts
 * const prepared = await prepareAsk(deps, "What about tariffs?", 5, c.req.raw.signal, performance.now());
 * ```
 */
export async function prepareAsk(
  deps: AskDeps,
  question: string,
  topK: number,
  signal: AbortSignal,
  startedAt: number,
): Promise<PreparedAsk> {
  assertLlmAvailable(deps.llm);
  const ollama = requestOllama(deps.llm, signal);
  try {
    const retrieval = await retrieve({ ...deps, ollama }, question, topK);
    const prompt = buildPrompt(question, retrieval.chunks, deps.llm.numCtx);
    return {
      messages: prompt.messages,
      citations: toCitations(prompt.used),
      ollama,
      retrievalMs: retrieval.retrievalMs,
      embeddingMs: retrieval.embeddingMs,
      startedAt,
    };
  } catch (error) {
    throw toLlmError(error, deps.llm);
  }
}

/**
 * The whole answer in one chat call (`stream: false`), with the same `num_ctx` and `keep_alive`
 * as every chat request of the server.
 *
 * @throws {AppError} 503 `LLM_UNAVAILABLE`, 502 `LLM_ERROR`
 * @example
 * ```ts
 * return c.json(await answerWhole(llm, await prepareAsk(...)), 200);
 * ```
 */
export async function answerWhole(llm: Llm, prepared: PreparedAsk): Promise<AskAnswer> {
  const started = performance.now();
  let content: string;
  try {
    const response = await prepared.ollama.chat({
      model: llm.chatModel,
      messages: prepared.messages,
      stream: false,
      keep_alive: llm.keepAlive,
      options: { num_ctx: llm.numCtx },
    });
    content = response.message?.content ?? "";
  } catch (error) {
    throw toLlmError(error, llm);
  }
  if (typeof content !== "string") throw new AppError(502, "LLM_ERROR", "the LLM sent no answer");
  const now = performance.now();
  return {
    answer: content,
    citations: prepared.citations,
    model: llm.chatModel,
    timings: timings(prepared, now - started, now),
  };
}

/**
 * The timings of an answer, rounded to 0.1 ms.
 *
 * @example
 * ```ts
 * timings(prepared, generationMs, performance.now()); // { retrievalMs, embeddingMs, generationMs, totalMs }
 * ```
 */
export function timings(prepared: PreparedAsk, generationMs: number, now: number): AskTimings {
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    retrievalMs: round(prepared.retrievalMs),
    embeddingMs: round(prepared.embeddingMs),
    generationMs: round(generationMs),
    totalMs: round(now - prepared.startedAt),
  };
}

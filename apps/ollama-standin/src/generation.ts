import { chatChunks } from "./chat-chunks.ts";
import type { ChatRequest } from "./chat-request.ts";
import { answerChat } from "./extractive-answer.ts";
import type { SlotLease } from "./prefix-slots.ts";
import { promptTokens } from "./prompt-tokens.ts";
import { unloadsAfter } from "./request-body.ts";
import type { ServerContext } from "./server-context.ts";
import { tokenize } from "./tokenize.ts";

/** One chat answer being produced in a slot: its chunks and the figures for its last line. */
export interface Generation {
  model: string;
  chunks: string[];
  promptTokens: number;
  reusedTokens: number;
  evalTokens: number;
  /** Modelled: (prompt tokens − reused) × `promptEvalNsPerToken`. */
  promptEvalNs: number;
  /** Measured: time spent waiting for a free slot. */
  loadNs: number;
  /** `performance.now()` when the slot was taken, for the measured `eval_duration`. */
  startedMs: number;
  /** `stop`, or `load` for a chat without messages (Ollama then only loads the model). */
  doneReason: "stop" | "load";
  /** Frees the slot (idempotent); with `keep_alive: 0` the slot forgets its prompt. */
  release(): void;
}

/**
 * Starts a chat answer: renders and tokenizes the prompt, waits for a slot (rejecting with the
 * signal's reason if the client leaves first), counts the reused prefix, logs the tokens, and
 * builds the extractive answer in chunks. The caller must call `release()` when done.
 *
 * @example
 * ```ts
 * const generation = await startGeneration(chat, context, exchange);
 * try { send(generation.chunks); } finally { generation.release(); }
 * ```
 */
export async function startGeneration(
  chat: ChatRequest,
  model: string,
  context: ServerContext,
  record: { promptTokens?: number; reusedTokens?: number; slot?: number; truncated?: boolean },
  signal: AbortSignal,
): Promise<Generation> {
  const numCtx = chat.numCtx ?? context.options.defaultNumCtx;
  const tokens = promptTokens(chat.messages);
  const waitStart = performance.now();
  const lease: SlotLease = await context.slots.acquire({ model, numCtx, tokens, signal });
  const startedMs = performance.now();
  const answer = chat.messages.length === 0 ? "" : answerChat(chat.messages);
  const evalTokens = tokenize(answer).length;
  Object.assign(record, {
    promptTokens: tokens.length,
    reusedTokens: lease.reusedTokens,
    slot: lease.slot,
    truncated: tokens.length > numCtx,
  });
  context.log.addTokens(tokens.length, lease.reusedTokens, evalTokens);
  return {
    model,
    chunks: chatChunks(answer, context.options.wordsPerChunk),
    promptTokens: tokens.length,
    reusedTokens: lease.reusedTokens,
    evalTokens,
    promptEvalNs: (tokens.length - lease.reusedTokens) * context.options.promptEvalNsPerToken,
    loadNs: Math.round((startedMs - waitStart) * 1e6),
    startedMs,
    doneReason: chat.messages.length === 0 ? "load" : "stop",
    release: () => lease.release(unloadsAfter(chat.keepAlive)),
  };
}

/**
 * The statistics of Ollama's last chat line for a finished generation.
 *
 * @example
 * ```ts
 * JSON.stringify({ model, created_at, message, done: true, ...finalStats(generation) });
 * ```
 */
export function finalStats(generation: Generation) {
  const evalNs = Math.round((performance.now() - generation.startedMs) * 1e6);
  return {
    done_reason: generation.doneReason,
    total_duration: generation.loadNs + generation.promptEvalNs + evalNs,
    load_duration: generation.loadNs,
    prompt_eval_count: generation.promptTokens,
    prompt_eval_duration: generation.promptEvalNs,
    eval_count: generation.evalTokens,
    eval_duration: evalNs,
  };
}

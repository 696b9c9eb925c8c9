import type { Message } from "ollama";
import type { RetrievedChunk } from "./retriever.ts";

/**
 * The system prompt, byte-identical on every request so Ollama can reuse its evaluated prefix.
 * It avoids the corpus's own words ("State of the Union", "president"): an extractive stand-in
 * would otherwise quote the instructions back.
 */
export const SYSTEM_PROMPT =
  "Reply using only the numbered passages in the user's message. Cite the passages you rely " +
  "on by their numbers, like [1] or [2]. If the passages do not hold the reply, say that you " +
  "don't know.";

/** Characters per token, roughly, for English prose (the budget below is an estimate). */
const CHARS_PER_TOKEN = 4;
/** Share of `num_ctx` the passages may take; the rest is for the instructions, question and answer. */
const CONTEXT_SHARE = 0.6;

/** The chat messages and the chunks that fitted in them (the ones to cite). */
export interface Prompt {
  messages: Message[];
  used: RetrievedChunk[];
}

/**
 * Builds the chat messages: the fixed system prompt, then one user message holding the numbered
 * passages (title line, then text) and the question after a `Question:` line. Chunks are added
 * best first while they fit in 60 % of `numCtx` (at ~4 characters per token), so the prompt is
 * never truncated by Ollama; the best chunk always goes in.
 *
 * @example
 * ```ts
 * const { messages, used } = buildPrompt("Who spoke of a New Deal?", chunks, 32_768);
 * await ollama.chat({ model, messages, options: { num_ctx: 32_768 } });
 * ```
 */
export function buildPrompt(
  question: string,
  chunks: readonly RetrievedChunk[],
  numCtx: number,
): Prompt {
  const budget = numCtx * CHARS_PER_TOKEN * CONTEXT_SHARE - SYSTEM_PROMPT.length - question.length;
  const used: RetrievedChunk[] = [];
  const passages: string[] = [];
  let length = 0;
  for (const chunk of chunks) {
    const passage = `[${used.length + 1}] ${chunk.title}\n${chunk.text}`;
    if (used.length > 0 && length + passage.length > budget) break;
    passages.push(passage);
    used.push(chunk);
    length += passage.length + 2;
  }
  const context =
    passages.length > 0 ? `Passages:\n\n${passages.join("\n\n")}\n\n` : "Passages: none.\n\n";
  return {
    messages: [
      { role: "system", content: SYSTEM_PROMPT },
      { role: "user", content: `${context}Question: ${question}` },
    ],
    used,
  };
}

/** A chat message as Ollama's `/api/chat` takes it (extra fields are ignored). */
export interface ChatMessage {
  role: string;
  content: string;
}

/**
 * Renders messages into the one prompt a model would evaluate, in a fixed template: each message
 * as `<|role|>` on its own line followed by its content, then `<|assistant|>` to start the reply.
 * As with a real chat template, two requests with the same leading messages share a prompt
 * prefix, so a system prompt that stays byte-identical can be reused from a slot's cache.
 *
 * @example
 * ```ts
 * renderPrompt([{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }]);
 * // "<|system|>\nBe brief.\n<|user|>\nHi\n<|assistant|>\n"
 * ```
 */
export function renderPrompt(messages: readonly ChatMessage[]): string {
  let prompt = "";
  for (const message of messages) prompt += `<|${message.role}|>\n${message.content}\n`;
  return `${prompt}<|assistant|>\n`;
}

import { LruCache } from "./lru-cache.ts";
import { type ChatMessage, renderPrompt } from "./prompt-template.ts";
import { tokenize } from "./tokenize.ts";

const CACHE_MIN_CHARS = 2_000;
const cache = new LruCache<string, string[]>(16);

/**
 * The tokens of the rendered prompt of `messages`: the same as `tokenize(renderPrompt(messages))`,
 * computed message by message (the template puts a line break around every content, and no token
 * spans whitespace) so that a long system prompt repeated on every request is tokenized once.
 *
 * @example
 * ```ts
 * promptTokens([{ role: "user", content: "Hi!" }]); // ["<", "|", "user", "|", ">", "Hi", "!", "<", ...]
 * ```
 */
export function promptTokens(messages: readonly ChatMessage[]): string[] {
  const parts: string[][] = [];
  for (const message of messages) {
    parts.push(tokenize(`<|${message.role}|>`), contentTokens(message.content));
  }
  parts.push(tokenize(renderPrompt([])));
  // concat, not push(...), which overflows the argument limit on a long context.
  return ([] as string[]).concat(...parts);
}

function contentTokens(content: string): string[] {
  if (content.length < CACHE_MIN_CHARS) return tokenize(content);
  return cache.get(content) ?? cache.set(content, tokenize(content));
}

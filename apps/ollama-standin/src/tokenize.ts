/**
 * The stand-in's tokenizer: each run of word characters is a token, and so is each other
 * non-space character (`/\w+|[^\w\s]/g`). Crude next to a model's BPE, but deterministic, and a
 * shared prefix of text is a shared prefix of tokens, which is all prefix-cache modelling needs.
 *
 * @example
 * ```ts
 * tokenize("<|user|>\nHi, you!"); // ["<", "|", "user", "|", ">", "Hi", ",", "you", "!"]
 * ```
 */
export function tokenize(text: string): string[] {
  return text.match(/\w+|[^\w\s]/g) ?? [];
}

/**
 * Number of leading tokens two token lists have in common.
 *
 * @example
 * ```ts
 * commonPrefixLength(["a", "b", "c"], ["a", "b", "d"]); // 2
 * ```
 */
export function commonPrefixLength(a: readonly string[], b: readonly string[]): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a[i] === b[i]) i++;
  return i;
}

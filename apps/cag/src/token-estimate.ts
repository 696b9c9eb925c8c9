/**
 * Characters per token assumed for English prose. Llama-family BPE tokenizers (llama3's 128k
 * vocabulary, the one `llama3.2` uses) average a little over 4 characters per token on plain
 * English; 4 is the rule of thumb Ollama's and llama.cpp's docs quote.
 */
const CHARS_PER_TOKEN = 4;
/** Tokens per whitespace-separated word: the other common rule of thumb (~0.75 words a token). */
const TOKENS_PER_WORD = 1.3;

/**
 * An estimate of how many tokens a model's tokenizer makes of `text`, without the tokenizer:
 * the larger of `chars / 4` and `words × 1.3`, rounded up. Both rules of thumb hold for English
 * prose; taking the larger errs on the side of over-counting, so a context chosen to fit a
 * budget also fits the model's real `num_ctx` (an under-count would make Ollama silently cut the
 * front of the prompt, the very prefix the cache is about). On the State of the Union addresses
 * the two rules agree within a few percent (see the README).
 *
 * @example
 * ```ts
 * estimateTokens("The state of our union is strong."); // 10 (8 words × 1.3 > 34 chars / 4)
 * ```
 */
export function estimateTokens(text: string): number {
  const words = countWords(text);
  return Math.ceil(Math.max(text.length / CHARS_PER_TOKEN, words * TOKENS_PER_WORD));
}

function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const space = code === 32 || code === 10 || code === 9 || code === 13;
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

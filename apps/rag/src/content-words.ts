// Function words match nearly every passage, so as OR terms they would drown the words that
// carry the question's topic; question words ("what", "how") never occur in the answer anyway.
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being " +
    "below between both but by can could did do does doing down during each few for from further " +
    "had has have having he her here hers herself him himself his how i if in into is it its itself " +
    "just me more most my myself no nor not now of off on once only or other our ours ourselves out " +
    "over own same she should so some such than that the their theirs them themselves then there " +
    "these they this those through to too under until up very was we were what when where which " +
    "while who whom why will with would you your yours yourself yourselves tell say said please " +
    "give describe explain"
  ).split(" "),
);

/** Most content words kept from one question: more add nothing to BM25 but cost. */
const MAX_WORDS = 32;

/**
 * The content words of a text, lowercased, in order of first appearance, each once: runs of
 * letters and digits (an apostrophe inside a word is dropped, so "nation's" is "nations"), minus
 * English function and question words.
 *
 * @example
 * ```ts
 * contentWords("What did Lincoln say about the Union's future?"); // ["lincoln", "unions", "future"]
 * ```
 */
export function contentWords(text: string): string[] {
  const words =
    text
      .toLowerCase()
      .replace(/['’]/g, "")
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const seen = new Set<string>();
  for (const word of words) {
    if (!STOP_WORDS.has(word) && !seen.has(word)) seen.add(word);
    if (seen.size === MAX_WORDS) break;
  }
  return [...seen];
}

/**
 * The FTS5 `MATCH` string for a question: its content words, each double-quoted (so no input can
 * be read as FTS5 syntax: `AND`, `(`, `*`, `-` are just text) and joined with `OR`. All words
 * must match by default, which finds nothing for "What does the president say about
 * inflation?" once a word is missing from the passage; with `OR`, BM25 ranks the passages that
 * hold more of them, and the rarer ones, first. `undefined` when the question has no content
 * word (the vector list then ranks alone).
 *
 * @example
 * ```ts
 * toFtsQuery("What does X eat?"); // '"x" OR "eat"'
 * toFtsQuery("what is it?"); // undefined
 * ```
 */
export function toFtsQuery(question: string): string | undefined {
  const words = contentWords(question);
  if (words.length === 0) return undefined;
  return words.map((word) => `"${word}"`).join(" OR ");
}

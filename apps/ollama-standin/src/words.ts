/**
 * Lowercased words of a text: runs of Unicode letters and digits (apostrophes inside a word are
 * dropped, so "don't" and "dont" are one word). Shared by the embedding and the extractive
 * answer so both see a text the same way.
 *
 * @example
 * ```ts
 * words("The Union's state, 1953!"); // ["the", "unions", "state", "1953"]
 * ```
 */
export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/['’]/g, "")
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

// Function words carry no topic: left in, they would make any two English texts look alike.
const STOP_WORDS = new Set(
  (
    "a an and are as at be been but by can could did do does for from had has have he her his how i if in " +
    "into is it its me my no not of on or our she so than that the their them then there these they this " +
    "those to us was we were what when where which who whom why will with would you your"
  ).split(" "),
);

/**
 * Whether a lowercased word is a function word ("the", "of", "what", ...) rather than a content
 * word.
 *
 * @example
 * ```ts
 * isStopWord("the"); // true
 * isStopWord("economy"); // false
 * ```
 */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/**
 * The content words of a text: {@link words} without function words.
 *
 * @example
 * ```ts
 * contentWords("What does the cat eat?"); // ["cat", "eat"]
 * ```
 */
export function contentWords(text: string): string[] {
  return words(text).filter((word) => !isStopWord(word));
}

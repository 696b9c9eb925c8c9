/**
 * Splits text into sentences: after `.`, `!` or `?` (and any closing quotes or brackets) followed
 * by whitespace, and at line breaks. Good enough for prose such as the State of the Union
 * addresses; abbreviations like "Mr. Speaker" do split, which only makes an answer shorter.
 *
 * @example
 * ```ts
 * splitSentences("It rained. We stayed in!\nThe end"); // ["It rained.", "We stayed in!", "The end"]
 * ```
 */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?]["'”’)\]]*)\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

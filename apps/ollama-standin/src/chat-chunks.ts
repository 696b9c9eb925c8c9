/**
 * Splits an answer into the pieces a model would stream: `wordsPerChunk` words each, every piece
 * keeping the whitespace after its words, so the pieces joined give the answer back exactly.
 *
 * @example
 * ```ts
 * chatChunks("Cats eat fish every day.", 2); // ["Cats eat ", "fish every ", "day."]
 * ```
 */
export function chatChunks(answer: string, wordsPerChunk: number): string[] {
  const pieces = answer.match(/\s*\S+\s*/g) ?? [];
  const chunks: string[] = [];
  for (let i = 0; i < pieces.length; i += wordsPerChunk) {
    chunks.push(pieces.slice(i, i + wordsPerChunk).join(""));
  }
  return chunks;
}

import { contentWords } from "./words.ts";

/** Dimension of the stand-in's embeddings unless told otherwise (the size of MiniLM's). */
export const DEFAULT_DIMENSIONS = 384;

// Weights per feature kind: words carry the topic; character trigrams make "economy" and
// "economic" close; bigrams reward the same phrasing a little without making a reordered
// sentence look like another text.
const WORD_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.35;
const TRIGRAM_WEIGHT = 0.25;

/**
 * The stand-in's embedding: feature hashing of a text's lowercased content words, word bigrams
 * and character trigrams (of each word, padded with spaces) into `dimensions` slots, with a
 * hashed sign so that collisions cancel out instead of adding up, then L2-normalised.
 * Deterministic across runs and processes. Function words are left out, so unrelated texts score
 * near 0; a text without content words gives the zero vector.
 *
 * @param text any text
 * @param [dimensions=384] length of the vector
 * @example
 * ```ts
 * const a = embedText("The economy grew last year.");
 * const b = embedText("Last year, the economy grew!");
 * cosine(a, b); // > 0.95
 * ```
 */
export function embedText(text: string, dimensions: number = DEFAULT_DIMENSIONS): number[] {
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    throw new RangeError(`dimensions must be a positive integer, got ${dimensions}`);
  }
  const vector = new Float64Array(dimensions);
  const add = (feature: string, weight: number) => {
    const hash = fnv1a(feature);
    const sign = hash & 0x80000000 ? -1 : 1;
    vector[(hash & 0x7fffffff) % dimensions]! += sign * weight;
  };
  const tokens = contentWords(text);
  for (let i = 0; i < tokens.length; i++) {
    const word = tokens[i]!;
    add(`w:${word}`, WORD_WEIGHT);
    if (i > 0) add(`b:${tokens[i - 1]} ${word}`, BIGRAM_WEIGHT);
    const padded = ` ${word} `;
    for (let j = 0; j + 3 <= padded.length; j++) add(`t:${padded.slice(j, j + 3)}`, TRIGRAM_WEIGHT);
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  return Array.from(vector, (value) => (norm === 0 ? 0 : value / norm));
}

/**
 * Cosine similarity of two vectors of the same length: 1 for the same direction, 0 for
 * orthogonal ones (and when either is the zero vector).
 *
 * @example
 * ```ts
 * cosine(embedText("cats and dogs"), embedText("Dogs and cats")); // ≈ 1
 * ```
 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(`vectors differ in length: ${a.length} and ${b.length}`);
  }
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

// FNV-1a over UTF-16 code units: tiny, stable and well spread for short strings.
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

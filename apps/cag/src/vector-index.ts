/**
 * A cached question's embedding close enough to a query's.
 *
 * @example
 * ```ts
 * const [best]: VectorMatch[] = index.search(query, 0.93);
 * ```
 */
export interface VectorMatch {
  key: string;
  score: number;
}

/**
 * The embeddings of the cached questions, in memory, for semantic lookups: a linear scan of
 * dot products over L2-normalised float32 vectors (cosine similarity). At the default
 * `CAG_CACHE_MAX_ENTRIES` of 5,000 and 768 dimensions that is 3.8 M multiply-adds, a few ms,
 * cheaper than reading the blobs back from SQLite on every miss. SQLite stays the source of
 * truth: a match is confirmed there before it is served.
 *
 * @example
 * ```ts
 * const index = new VectorIndex();
 * index.set("k1", unitVector([0.1, 0.9]));
 * index.search(unitVector([0.1, 0.8]), 0.9); // [{ key: "k1", score: 0.99… }]
 * ```
 */
export class VectorIndex {
  readonly #vectors = new Map<string, Float32Array>();

  get size(): number {
    return this.#vectors.size;
  }

  set(key: string, vector: Float32Array): void {
    this.#vectors.set(key, vector);
  }

  delete(key: string): void {
    this.#vectors.delete(key);
  }

  clear(): void {
    this.#vectors.clear();
  }

  /** Entries scoring at least `threshold` against `query` (normalised), best first. */
  search(query: Float32Array, threshold: number): VectorMatch[] {
    const matches: VectorMatch[] = [];
    for (const [key, vector] of this.#vectors) {
      if (vector.length !== query.length) continue;
      let dot = 0;
      for (let i = 0; i < vector.length; i++) dot += vector[i]! * query[i]!;
      if (dot >= threshold) matches.push({ key, score: dot });
    }
    return matches.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
  }
}

/**
 * `values` scaled to length 1, as float32 (a zero vector stays zero and so matches nothing).
 *
 * @example
 * ```ts
 * unitVector([3, 4]); // Float32Array [0.6, 0.8]
 * ```
 */
export function unitVector(values: ArrayLike<number>): Float32Array {
  let norm = 0;
  for (let i = 0; i < values.length; i++) norm += values[i]! * values[i]!;
  norm = Math.sqrt(norm);
  const out = new Float32Array(values.length);
  if (norm > 0) for (let i = 0; i < values.length; i++) out[i] = values[i]! / norm;
  return out;
}

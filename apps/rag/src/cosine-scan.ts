/** A nearest neighbour: the chunk and its cosine distance (`1 - cosine similarity`, 0 to 2). */
export interface Neighbour {
  chunkId: number;
  distance: number;
}

/**
 * Keeps the `k` nearest of a stream of vectors to `query` by cosine distance, the way `vec0`'s
 * `distance_metric=cosine` measures it (`1 - a·b / (|a| |b|)`), so the JS fallback ranks as
 * `vec0` does. A zero vector has no direction: it is at distance 1 from everything. Ties go to
 * the smaller chunk id, so the order is deterministic.
 *
 * @example
 * ```ts
 * const top = new NearestK(new Float32Array([1, 0]), 2);
 * top.add(1, new Float32Array([1, 0]));
 * top.add(2, new Float32Array([0, 1]));
 * top.result(); // [{ chunkId: 1, distance: 0 }, { chunkId: 2, distance: 1 }]
 * ```
 */
export class NearestK {
  readonly #query: Float32Array;
  readonly #queryNorm: number;
  readonly #k: number;
  // Sorted best first; k is small (≤ a few hundred), so insertion beats a heap here.
  readonly #best: Neighbour[] = [];

  constructor(query: Float32Array, k: number) {
    this.#query = query;
    this.#queryNorm = Math.sqrt(dot(query, query));
    this.#k = k;
  }

  add(chunkId: number, vector: Float32Array): void {
    if (vector.length !== this.#query.length) {
      throw new RangeError(
        `vector of chunk ${chunkId} has ${vector.length} dimensions, the query ${this.#query.length}`,
      );
    }
    // One pass for the dot product and the vector's norm: this loop is the whole scan's cost.
    const query = this.#query;
    let product = 0;
    let squares = 0;
    for (let i = 0; i < query.length; i++) {
      const x = vector[i]!;
      product += query[i]! * x;
      squares += x * x;
    }
    const norms = this.#queryNorm * Math.sqrt(squares);
    const distance = norms === 0 ? 1 : 1 - product / norms;
    const best = this.#best;
    if (best.length === this.#k && !before(distance, chunkId, best[best.length - 1]!)) return;
    let i = best.length;
    while (i > 0 && before(distance, chunkId, best[i - 1]!)) i--;
    best.splice(i, 0, { chunkId, distance });
    if (best.length > this.#k) best.pop();
  }

  result(): Neighbour[] {
    return this.#best.slice();
  }
}

function before(distance: number, chunkId: number, other: Neighbour): boolean {
  return distance < other.distance || (distance === other.distance && chunkId < other.chunkId);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

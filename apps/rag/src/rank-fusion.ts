/** One entry of a fused ranking: the item, its RRF score, and its 1-based rank in each list. */
export interface FusedItem<T> {
  id: T;
  /** Σ 1 / (k + rank) over the lists that hold the item. */
  score: number;
  /** Rank in each input list (same order as the lists), `undefined` where absent. */
  ranks: (number | undefined)[];
}

/** The `k` of reciprocal rank fusion used by the RAG app (Cormack et al., 2009). */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion: each list gives an item `1 / (k + rank)` (rank from 1), and an item's
 * score is the sum over the lists it appears in. Only ranks matter, so a BM25 score and a cosine
 * distance, which share no scale, combine without tuning; an item found by several lists rises
 * above one found by a single list at a similar rank. Ties keep the order of first appearance
 * (lists in order, then rank), so the result is deterministic. A duplicate within a list counts
 * at its first rank only.
 *
 * @param lists ranked ids, best first
 * @param [k=60] damping: larger k flattens the gap between the first ranks
 * @example
 * ```ts
 * fuseByRank([["a", "b"], ["b", "c"]]);
 * // [{ id: "b", score: 1/62 + 1/61, ranks: [2, 1] }, { id: "a", score: 1/61, ... }, { id: "c", ... }]
 * ```
 */
export function fuseByRank<T>(lists: readonly (readonly T[])[], k: number = RRF_K): FusedItem<T>[] {
  if (!(k >= 0) || !Number.isFinite(k))
    throw new RangeError(`k must be a finite number >= 0, got ${k}`);
  const items = new Map<T, FusedItem<T>>();
  lists.forEach((list, listIndex) => {
    list.forEach((id, index) => {
      let item = items.get(id);
      if (item === undefined) {
        item = { id, score: 0, ranks: lists.map(() => undefined) };
        items.set(id, item);
      }
      if (item.ranks[listIndex] !== undefined) return;
      item.ranks[listIndex] = index + 1;
      item.score += 1 / (k + index + 1);
    });
  });
  // Array.prototype.sort is stable: equal scores keep the insertion order of the map.
  return [...items.values()].sort((a, b) => b.score - a.score);
}

/**
 * A tiny least-recently-used map: `get` refreshes an entry, `set` evicts the oldest past
 * `capacity`. The stand-in keeps the analysis of long, repeated texts (CAG's preloaded context
 * arrives byte-identical on every request) so that answering stays cheap.
 *
 * @example
 * ```ts
 * const cache = new LruCache<string, string[]>(8);
 * const tokens = cache.get(text) ?? cache.set(text, tokenize(text));
 * ```
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The value for `key`, now the most recently used; `undefined` when absent. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Stores `value` under `key` and returns it. */
  set(key: K, value: V): V {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value as K);
    }
    return value;
  }
}

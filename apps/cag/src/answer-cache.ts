import type { SqlitePool } from "@pool/sqlite";
import { unitVector, VectorIndex } from "./vector-index.ts";

/**
 * Which answers a cache instance can see: those of this chat model, context and embedder.
 *
 * @example
 * ```ts
 * const scope: CacheScope = { model: llm.chatModel, contextHash: context.hash, embedModel: llm.embedModel };
 * ```
 */
export interface CacheScope {
  model: string;
  contextHash: string;
  embedModel: string;
}

/**
 * An answer found in the cache.
 *
 * @example
 * ```ts
 * const hit: CachedAnswer | undefined = await cache.getExact(key);
 * ```
 */
export interface CachedAnswer {
  key: string;
  /** The question as it was first asked (a semantic hit was asked differently). */
  question: string;
  answer: string;
  createdAtMs: number;
  /** Times it was served from the cache, this hit included. */
  hits: number;
}

/**
 * What to store after a generation.
 *
 * @example
 * ```ts
 * await cache.put({ key, question, normalized, answer, embedding } satisfies NewAnswer);
 * ```
 */
export interface NewAnswer {
  key: string;
  question: string;
  normalized: string;
  answer: string;
  /** The question's embedding, when it was embedded (semantic lookups need it). */
  embedding?: ArrayLike<number> | undefined;
}

/**
 * Options of an {@link AnswerCache}.
 *
 * @example
 * ```ts
 * new AnswerCache(db, { now: Date.now, ttlS: 86_400, maxEntries: 5_000 } satisfies AnswerCacheOptions);
 * ```
 */
export interface AnswerCacheOptions {
  /** ms since the epoch. */
  now: () => number;
  ttlS: number;
  maxEntries: number;
}

interface Row {
  key: string;
  question: string;
  answer: string;
  created_at_ms: number;
  hits: number;
}

/**
 * The answer cache in SQLite (`cag_answers`), with the question embeddings mirrored in memory
 * for semantic lookups. A hit is one `UPDATE … RETURNING` that checks the TTL and records the
 * use (LRU order, hit count) in the same statement. Writes evict expired entries and then the
 * least recently used past `maxEntries`, in the transaction of the insert.
 *
 * @example
 * ```ts
 * const cache = new AnswerCache(db, { now: Date.now, ttlS: 86_400, maxEntries: 5_000 });
 * await cache.open({ model, contextHash, embedModel });
 * const key = cache.keyOf("what about jobs");
 * (await cache.getExact(key)) ?? (await cache.put({ key, question, normalized, answer }));
 * ```
 */
export class AnswerCache {
  readonly #db: SqlitePool;
  readonly #options: AnswerCacheOptions;
  readonly #vectors = new VectorIndex();
  #scope: CacheScope | undefined;

  constructor(db: SqlitePool, options: AnswerCacheOptions) {
    this.#db = db;
    this.#options = options;
  }

  /**
   * Sets the scope, deletes every entry of another chat model, context or embedding model (they
   * could never be found again) and every expired one, and loads the embeddings of the rest.
   * Returns how many entries were purged.
   */
  async open(scope: CacheScope): Promise<number> {
    this.#scope = scope;
    const purged = await this.#db.transaction((tx) => {
      const other = tx.run(
        "delete from cag_answers where model <> ? or context_hash <> ? or embed_model <> ?",
        [scope.model, scope.contextHash, scope.embedModel],
      ).changes;
      const expired = tx.run("delete from cag_answers where created_at_ms <= ?", [
        this.#expiredBefore(),
      ]).changes;
      return other + expired;
    });
    const rows = await this.#db.all<{ key: string; embedding: Uint8Array | null }>(
      "select key, embedding from cag_answers where embedding is not null",
    );
    this.#vectors.clear();
    for (const row of rows) this.#vectors.set(row.key, toVector(row.embedding!));
    return purged;
  }

  /** The cache key of a normalized question: sha256 of model, context hash and question. */
  keyOf(normalized: string): string {
    const scope = this.#requireScope();
    return new Bun.CryptoHasher("sha256")
      .update(scope.model)
      .update("\0")
      .update(scope.contextHash)
      .update("\0")
      .update(normalized)
      .digest("hex");
  }

  /** The unexpired entry under `key`, counted as used now; `undefined` if none. */
  async getExact(key: string): Promise<CachedAnswer | undefined> {
    const now = this.#options.now();
    // A write (it records the use), so it goes to the writer, not a read-only reader.
    const row = await this.#db.write((conn) =>
      conn
        .query<Row, [number, string, number]>(
          `update cag_answers set last_used_at_ms = ?, hits = hits + 1
           where key = ? and created_at_ms > ?
           returning key, question, answer, created_at_ms, hits`,
        )
        .get(now, key, now - this.#options.ttlS * 1000),
    );
    return row ? toAnswer(row) : undefined;
  }

  /**
   * The unexpired entry whose question's embedding is closest to `embedding`, if its cosine is
   * at least `threshold`; counted as used now.
   */
  async findSemantic(
    embedding: ArrayLike<number>,
    threshold: number,
  ): Promise<(CachedAnswer & { score: number }) | undefined> {
    for (const match of this.#vectors.search(unitVector(embedding), threshold)) {
      const hit = await this.getExact(match.key);
      if (hit) return { ...hit, score: match.score };
      // Expired or deleted elsewhere: drop it here too and try the next best.
      this.#vectors.delete(match.key);
    }
    return undefined;
  }

  /** Stores (or replaces) an answer, then evicts expired and least recently used entries. */
  async put(entry: NewAnswer): Promise<void> {
    const scope = this.#requireScope();
    const now = this.#options.now();
    const vector = entry.embedding ? unitVector(entry.embedding) : undefined;
    const blob = vector ? new Uint8Array(vector.buffer) : null;
    const bytes =
      Buffer.byteLength(entry.question) + Buffer.byteLength(entry.answer) + (blob?.length ?? 0);
    const evicted = await this.#db.transaction((tx) => {
      tx.run(
        `insert or replace into cag_answers
           (key, model, context_hash, embed_model, question, normalized, answer, embedding,
            created_at_ms, last_used_at_ms, hits, bytes)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
        [
          entry.key,
          scope.model,
          scope.contextHash,
          scope.embedModel,
          entry.question,
          entry.normalized,
          entry.answer,
          blob,
          now,
          now,
          bytes,
        ],
      );
      const expired = tx.all<{ key: string }>(
        "delete from cag_answers where created_at_ms <= ? returning key",
        [this.#expiredBefore()],
      );
      const lru = tx.all<{ key: string }>(
        `delete from cag_answers where key in (
           select key from cag_answers order by last_used_at_ms, created_at_ms, key
           limit max(0, (select count(*) from cag_answers) - ?)
         ) returning key`,
        [this.#options.maxEntries],
      );
      return [...expired, ...lru];
    });
    if (vector) this.#vectors.set(entry.key, vector);
    for (const { key } of evicted) this.#vectors.delete(key);
  }

  /** Deletes every entry; returns how many there were. */
  async clear(): Promise<number> {
    const { changes } = await this.#db.run("delete from cag_answers");
    this.#vectors.clear();
    return changes;
  }

  /** Entries stored and the bytes they hold (expired ones not yet purged included). */
  async size(): Promise<{ entries: number; bytes: number }> {
    const row = await this.#db.get<{ entries: number; bytes: number }>(
      "select count(*) as entries, coalesce(sum(bytes), 0) as bytes from cag_answers",
    );
    return row ?? { entries: 0, bytes: 0 };
  }

  #expiredBefore(): number {
    return this.#options.now() - this.#options.ttlS * 1000;
  }

  #requireScope(): CacheScope {
    if (!this.#scope) throw new Error("AnswerCache.open() must be called first");
    return this.#scope;
  }
}

function toAnswer(row: Row): CachedAnswer {
  return {
    key: row.key,
    question: row.question,
    answer: row.answer,
    createdAtMs: row.created_at_ms,
    hits: row.hits,
  };
}

// A blob from bun:sqlite may sit at any offset of its buffer: copy it to align the floats.
function toVector(blob: Uint8Array): Float32Array {
  return new Float32Array(blob.slice().buffer);
}

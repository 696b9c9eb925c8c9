import type { SqlitePool, Transaction } from "@pool/sqlite";
import { NearestK, type Neighbour } from "./cosine-scan.ts";
import { readMeta, setMeta } from "./meta.ts";
import type { VectorBackend } from "./vector-backend.ts";
import { fromVectorBlob, toVectorBlob } from "./vector-codec.ts";

/** A chunk's embedding, ready to store. */
export interface ChunkVector {
  chunkId: number;
  vector: ArrayLike<number>;
}

/** Rows per transaction when `rag_vec` is rebuilt, so other apps' writes get the writer between. */
const REBUILD_BATCH = 1_000;

/**
 * The embeddings of one model and the nearest-neighbour search over them. Every vector is kept
 * in `rag_embeddings` (the source of truth); with the `vec0` backend it is mirrored into the
 * `rag_vec` index in the same transaction, and searched there. With the `js` backend a query
 * scans `rag_embeddings` on a reader and ranks by cosine in JS: slower, same ranking (both
 * measure `1 - cosine similarity`), no extension needed.
 *
 * @example
 * ```ts
 * const store = new VectorStore(db, "vec0", embeddingSpace("nomic-embed-text", 768));
 * await store.sync(768);                                  // rag_vec in step with rag_embeddings
 * await db.transaction((tx) => store.insert(tx, [{ chunkId: 1, vector }]));
 * await store.knn(queryVector, 20);                       // [{ chunkId, distance }, ...]
 * ```
 */
export class VectorStore {
  readonly #db: SqlitePool;
  readonly backend: VectorBackend;
  /** The embedding space, `model@dimensions` (see {@link embeddingSpace}): the rows' `model` key. */
  readonly model: string;
  /** `rag_vec` mirrors this model's rows: writes go to it too, and queries read it. */
  #indexed = false;

  constructor(db: SqlitePool, backend: VectorBackend, model: string) {
    this.#db = db;
    this.backend = backend;
    this.model = model;
  }

  /** Stores vectors inside the caller's transaction (with their chunks, so all land or none). */
  insert(tx: Transaction, rows: readonly ChunkVector[]): void {
    for (const { chunkId, vector } of rows) {
      const blob = toVectorBlob(vector);
      tx.run("insert or replace into rag_embeddings (model, chunk_id, vector) values (?, ?, ?)", [
        this.model,
        chunkId,
        blob,
      ]);
      if (this.#indexed) {
        tx.run("insert into rag_vec (chunk_id, embedding) values (?, ?)", [chunkId, blob]);
      }
    }
    if (!this.#indexed) markIndexStale(tx);
  }

  /**
   * Call inside the transaction that deletes a document, before the delete: `rag_vec` is not
   * reached by the cascade (no trigger may touch it, or a connection without sqlite-vec could
   * not delete anything).
   */
  removeDocument(tx: Transaction, documentId: number): void {
    if (this.#indexed) {
      tx.run(
        "delete from rag_vec where chunk_id in (select id from rag_chunks where document_id = ?)",
        [documentId],
      );
    } else {
      markIndexStale(tx);
    }
  }

  /**
   * With `vec0`: makes `rag_vec` mirror this model's vectors, rebuilding it (in batches) when it
   * mirrors another model, has another dimension, or a process without sqlite-vec wrote since.
   * With `js`: nothing to do. Returns the rows copied (0 when the index was in step).
   */
  async sync(dimensions: number, signal?: AbortSignal): Promise<number> {
    if (this.backend !== "vec0") return 0;
    const meta = await readMeta(this.#db);
    if (meta.vec0Index === this.model) {
      this.#indexed = true;
      return 0;
    }
    await this.#db.transaction((tx) => {
      tx.run("drop table if exists rag_vec");
      tx.run(
        `create virtual table rag_vec using vec0(chunk_id integer primary key, embedding float[${dimensions}] distance_metric=cosine)`,
      );
      setMeta(tx, "vec0_index", "");
    });
    let copied = 0;
    let after = 0;
    for (;;) {
      signal?.throwIfAborted();
      const batch = await this.#db.transaction((tx) => {
        const rows = tx.all<{ chunkId: number; vector: Uint8Array }>(
          `select chunk_id as chunkId, vector from rag_embeddings
           where model = ? and chunk_id > ? order by chunk_id limit ?`,
          [this.model, after, REBUILD_BATCH],
        );
        for (const row of rows) {
          tx.run("insert into rag_vec (chunk_id, embedding) values (?, ?)", [
            row.chunkId,
            row.vector,
          ]);
        }
        return rows;
      });
      copied += batch.length;
      if (batch.length < REBUILD_BATCH) break;
      after = batch[batch.length - 1]!.chunkId;
    }
    await this.#db.transaction((tx) => setMeta(tx, "vec0_index", this.model));
    this.#indexed = true;
    return copied;
  }

  /** The `k` chunks nearest to `query` by cosine distance, nearest first. */
  async knn(query: ArrayLike<number>, k: number): Promise<Neighbour[]> {
    if (this.#indexed) {
      const rows = await this.#db.all<Neighbour>(
        "select chunk_id as chunkId, distance from rag_vec where embedding match ? and k = ? order by distance",
        [toVectorBlob(query), k],
      );
      // vec0 allows no second ORDER BY term (SQLite flattens an outer one into it), so equal
      // distances get the JS scan's tie-break here. Ties at the k-th place may still differ.
      return rows.sort((a, b) => a.distance - b.distance || a.chunkId - b.chunkId);
    }
    const nearest = new NearestK(Float32Array.from(query), k);
    const model = this.model;
    await this.#db.read((conn) => {
      // values() (arrays, not objects) and one pass: the scan reads every vector of the model.
      const rows = conn
        .query("select chunk_id, vector from rag_embeddings where model = ?")
        .values(model) as [number, Uint8Array][];
      for (const [chunkId, blob] of rows) nearest.add(chunkId, fromVectorBlob(blob));
    });
    return nearest.result();
  }
}

/**
 * The key vectors are stored under: the model's name and the vectors' length. A model that
 * changed under the same name but answers another length is another space, so its vectors are
 * re-embedded instead of mixed with the old ones.
 *
 * @example
 * ```ts
 * embeddingSpace("nomic-embed-text", 768); // "nomic-embed-text@768"
 * ```
 */
export function embeddingSpace(model: string, dimensions: number): string {
  return `${model}@${dimensions}`;
}

function markIndexStale(tx: Transaction): void {
  tx.run("update rag_meta set value = '' where key = 'vec0_index' and value <> ''");
}

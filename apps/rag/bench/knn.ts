import { embedText } from "@app/ollama-standin";
import { SqlitePool } from "@pool/sqlite";
import * as sqliteVec from "sqlite-vec";
import { readMeta } from "../src/meta.ts";
import { embeddingSpace, VectorStore } from "../src/vector-store.ts";

/** One KNN variant's figures. */
export interface KnnResult {
  variant: string;
  vectors: number;
  queries: number;
  p50Ms: number;
  p99Ms: number;
}

/** k as the app asks it for topK 5: max(4 × 5, 40). */
const K = 40;

/**
 * Nearest-neighbour search over every stored chunk vector of a seeded database, as the app runs
 * it (`VectorStore.knn`, through the pool): `vec0` and the JS cosine scan, each with
 * `mmap_size` 0 and 256 MiB. Queries are the stand-in's embeddings of `questions`, each asked
 * `repeat` times after one warm-up pass.
 *
 * @example
 * ```ts
 * const results = await benchKnn("/tmp/rag.db", ["What about taxes?"], 20);
 * ```
 */
export async function benchKnn(
  path: string,
  questions: readonly string[],
  repeat: number,
): Promise<KnnResult[]> {
  const vectors = questions.map((q) => embedText(q));
  const results: KnnResult[] = [];
  for (const backend of ["vec0", "js"] as const) {
    for (const mmapBytes of [0, 268_435_456]) {
      const db = new SqlitePool({
        path,
        extensions: backend === "vec0" ? [sqliteVec.getLoadablePath()] : [],
        pragmas: { mmap_size: mmapBytes },
      });
      const meta = await readMeta(db);
      const store = new VectorStore(
        db,
        backend,
        embeddingSpace(meta.embedModel!, meta.dimensions!),
      );
      await store.sync(meta.dimensions!);
      const count = (await db.get<{ n: number }>("select count(*) as n from rag_embeddings"))!.n;
      for (const vector of vectors) await store.knn(vector, K);
      const times: number[] = [];
      for (let r = 0; r < repeat; r++) {
        for (const vector of vectors) {
          const started = performance.now();
          await store.knn(vector, K);
          times.push(performance.now() - started);
        }
      }
      await db.close();
      times.sort((a, b) => a - b);
      results.push({
        variant: `${backend}${mmapBytes > 0 ? " + mmap_size 256 MiB" : ""}`,
        vectors: count,
        queries: times.length,
        p50Ms: round(times[Math.floor(times.length * 0.5)]!),
        p99Ms: round(times[Math.min(times.length - 1, Math.floor(times.length * 0.99))]!),
      });
    }
  }
  return results;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

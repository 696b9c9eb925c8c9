import type { Llm } from "@app/kit";
import type { SqlitePool } from "@pool/sqlite";
import type { Ollama } from "ollama";
import { toFtsQuery } from "./content-words.ts";
import { embedTexts } from "./embedder.ts";
import { fuseByRank, RRF_K } from "./rank-fusion.ts";
import type { VectorStore } from "./vector-store.ts";

/** A chunk chosen as context, with its fused score and where each list ranked it. */
export interface RetrievedChunk {
  chunkId: number;
  documentId: number;
  title: string;
  text: string;
  /** Reciprocal-rank-fusion score: Σ 1 / (60 + rank) over the lists that found it. */
  score: number;
  /** 1-based rank in the BM25 list, absent when BM25 did not find it. */
  ftsRank?: number;
  /** 1-based rank in the vector list, absent when KNN did not find it. */
  vectorRank?: number;
}

/** The fused top chunks and where the time went (the two overlap: BM25 runs during the embedding). */
export interface Retrieval {
  chunks: RetrievedChunk[];
  /** The question's embedding (one `/api/embed` call). */
  embeddingMs: number;
  /** SQLite: the BM25 query, the KNN search and reading the chosen chunks. */
  retrievalMs: number;
}

/** What {@link retrieve} needs. */
export interface RetrieverDeps {
  db: SqlitePool;
  store: VectorStore;
  llm: Llm;
  /** The request's client (aborted with the request). */
  ollama: Ollama;
  /** Length of the stored vectors: a question vector of another length fails instead of mixing. */
  dimensions: number | undefined;
}

/** Each list contributes this many candidates per requested chunk (at least {@link MIN_CANDIDATES}). */
const CANDIDATES_PER_RESULT = 4;
const MIN_CANDIDATES = 40;

const FTS_SQL = `
select rowid as chunkId from rag_chunks_fts
where rag_chunks_fts match ? order by bm25(rag_chunks_fts), rowid limit ?`;

const CHUNKS_SQL = `
select c.id as chunkId, c.document_id as documentId, c.text, d.title
from rag_chunks c join rag_documents d on d.id = c.document_id
where c.id in (select value from json_each(?))`;

/**
 * Hybrid retrieval: BM25 over the question's content words (each quoted, joined with OR) and the
 * nearest chunks to the question's embedding, each list `max(4 × topK, 40)` deep, fused by
 * reciprocal rank fusion (k = 60); the `topK` best, best first. BM25 runs while the embedding is
 * computed. A question without content words has neither BM25 terms nor a direction (its
 * embedding may be the zero vector), and gets whatever list is left, possibly none.
 *
 * @example
 * ```ts
 * const { chunks } = await retrieve({ db, store, llm, ollama, dimensions: 384 }, "What about tariffs?", 5);
 * chunks[0]; // { chunkId, documentId, title, text, score, ftsRank, vectorRank }
 * ```
 */
export async function retrieve(
  deps: RetrieverDeps,
  question: string,
  topK: number,
): Promise<Retrieval> {
  const depth = Math.max(topK * CANDIDATES_PER_RESULT, MIN_CANDIDATES);
  let sqlMs = 0;
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      sqlMs += performance.now() - started;
    }
  };

  const match = toFtsQuery(question);
  const ftsList = match
    ? timed(() => deps.db.all<{ chunkId: number }>(FTS_SQL, [match, depth]))
    : Promise.resolve([]);
  // Settled either way, so a failed embedding does not leave the BM25 promise unhandled.
  ftsList.catch(() => {});

  const embedStarted = performance.now();
  const [vector] = await embedTexts(deps.ollama, deps.llm, [question], {
    batchSize: 1,
    dimensions: deps.dimensions,
  });
  const embeddingMs = performance.now() - embedStarted;

  const neighbours = isZero(vector!) ? [] : await timed(() => deps.store.knn(vector!, depth));
  const fused = fuseByRank(
    [(await ftsList).map((row) => row.chunkId), neighbours.map((n) => n.chunkId)],
    RRF_K,
  ).slice(0, topK);

  const rows = await timed(() =>
    deps.db.all<Omit<RetrievedChunk, "score">>(CHUNKS_SQL, [
      JSON.stringify(fused.map((item) => item.id)),
    ]),
  );
  const byId = new Map(rows.map((row) => [row.chunkId, row]));
  const chunks: RetrievedChunk[] = [];
  for (const item of fused) {
    const row = byId.get(item.id);
    // A chunk deleted between the search and this read is simply left out.
    if (row === undefined) continue;
    const chunk: RetrievedChunk = { ...row, score: item.score };
    if (item.ranks[0] !== undefined) chunk.ftsRank = item.ranks[0];
    if (item.ranks[1] !== undefined) chunk.vectorRank = item.ranks[1];
    chunks.push(chunk);
  }
  return { chunks, embeddingMs, retrievalMs: sqlMs };
}

function isZero(vector: readonly number[]): boolean {
  return vector.every((x) => x === 0);
}

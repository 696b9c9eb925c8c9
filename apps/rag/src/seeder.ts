import type { CorpusDocument } from "@app/kit";
import type { SqlitePool } from "@pool/sqlite";
import { insertDocument } from "./document-store.ts";
import type { VectorStore } from "./vector-store.ts";

/**
 * The corpus entries to seed: the `seedDocs` most recent addresses (by year, the later of two
 * addresses in one year first), or all of them.
 *
 * @example
 * ```ts
 * selectSeedDocuments(loadCorpus(), 20).map((d) => d.year); // [2021, 2020, 2019, ...]
 * ```
 */
export function selectSeedDocuments(
  corpus: readonly CorpusDocument[],
  seedDocs: number | "all",
): CorpusDocument[] {
  const newestFirst = [...corpus].sort((a, b) => b.year - a.year || b.key.localeCompare(a.key));
  return seedDocs === "all" ? newestFirst : newestFirst.slice(0, seedDocs);
}

/**
 * Inserts the documents not seeded before, with their chunks but no vectors (embedding is the
 * next, resumable step), one short transaction per document, so the shared writer is never held
 * long. A document goes in together with its `rag_seeded` mark: a restart skips it, and one a
 * user deleted stays deleted. Returns the documents inserted.
 *
 * @example
 * ```ts
 * await seedDocuments(db, selectSeedDocuments(loadCorpus(), "all"), (body) => packSentences(body), {
 *   signal, onProgress: (done, total) => console.log(done, total),
 * });
 * ```
 */
export async function seedDocuments(
  db: SqlitePool,
  docs: readonly CorpusDocument[],
  chunk: (body: string) => string[],
  options: { signal: AbortSignal; onProgress(done: number, total: number): void },
): Promise<{ documents: number; chunks: number }> {
  const seeded = new Set(
    (await db.all<{ key: string }>("select source_key as key from rag_seeded")).map((r) => r.key),
  );
  const todo = docs.filter((doc) => !seeded.has(doc.key));
  let chunks = 0;
  let documents = 0;
  options.onProgress(0, todo.length);
  for (const [i, doc] of todo.entries()) {
    options.signal.throwIfAborted();
    const parts = chunk(doc.body);
    const inserted = await db.transaction((tx) => {
      // Another process seeding the same file may have taken it since the read above.
      const { changes } = tx.run(
        "insert into rag_seeded (source_key) values (?) on conflict do nothing",
        [doc.key],
      );
      if (changes === 0) return false;
      insertDocument(tx, doc, parts, { sourceKey: doc.key });
      return true;
    });
    if (inserted) {
      documents++;
      chunks += parts.length;
    }
    options.onProgress(i + 1, todo.length);
  }
  return { documents, chunks };
}

/** Counts the chunks without a vector in `store`'s embedding space. */
export async function countMissing(db: SqlitePool, store: VectorStore): Promise<number> {
  const row = await db.get<{ n: number }>(
    `select count(*) as n from rag_chunks c
     where not exists (select 1 from rag_embeddings e where e.model = ? and e.chunk_id = c.id)`,
    [store.model],
  );
  return row?.n ?? 0;
}

/**
 * Embeds every chunk that has no vector in `store`'s space yet, `batchSize` chunks per
 * `/api/embed` call, oldest chunk id first, and stores each batch in its own short transaction
 * once its vectors are back (never holding the writer while the LLM works). Interrupted, it
 * loses at most the batch in flight: the next run starts after what was stored, and nothing is
 * embedded twice. Returns the chunks embedded.
 *
 * @example
 * ```ts
 * await embedMissing(db, store, (texts) => embedTexts(ollama, llm, texts, { batchSize: 32 }), {
 *   batchSize: 32, signal, onProgress: (done, total) => {},
 * });
 * ```
 */
export async function embedMissing(
  db: SqlitePool,
  store: VectorStore,
  embed: (texts: string[]) => Promise<number[][]>,
  options: {
    batchSize: number;
    signal: AbortSignal;
    onProgress(done: number, total: number): void;
  },
): Promise<number> {
  const total = await countMissing(db, store);
  let done = 0;
  let after = 0;
  options.onProgress(0, total);
  while (done < total) {
    options.signal.throwIfAborted();
    const rows = await db.all<{ id: number; text: string }>(
      `select c.id, c.text from rag_chunks c
       where c.id > ? and not exists (select 1 from rag_embeddings e where e.model = ? and e.chunk_id = c.id)
       order by c.id limit ?`,
      [after, store.model, options.batchSize],
    );
    if (rows.length === 0) break;
    const vectors = await embed(rows.map((row) => row.text));
    await db.transaction((tx) => {
      // A chunk deleted (by another process) while it was being embedded is skipped.
      const alive = new Set(
        tx
          .all<{ id: number }>(
            "select id from rag_chunks where id in (select value from json_each(?))",
            [JSON.stringify(rows.map((row) => row.id))],
          )
          .map((row) => row.id),
      );
      store.insert(
        tx,
        rows.flatMap((row, i) =>
          alive.has(row.id) ? [{ chunkId: row.id, vector: vectors[i]! }] : [],
        ),
      );
    });
    after = rows[rows.length - 1]!.id;
    done += rows.length;
    options.onProgress(Math.min(done, total), total);
  }
  return done;
}

import {
  type CorpusDocument,
  loadCorpus,
  type Progress,
  type ProgressReporter,
  packSentences,
} from "@app/kit";
import type { SqlitePool } from "@pool/sqlite";
import { insertDocument, PASSAGE_MAX_CHARS } from "./document-store.ts";

/** Options of {@link seedCorpus}. */
export interface SeedOptions {
  /** The documents to seed. Default: the 233 State of the Union addresses. */
  corpus?: () => CorpusDocument[];
  /** A write transaction closes once it holds about this many passages (other apps share the writer). Default 100. */
  batchPassages?: number;
  progress?: ProgressReporter | undefined;
  /**
   * Called as the seed advances (for `health()`): first while the documents are split into
   * passages, then after each committed batch, with the documents and passages written so far.
   */
  onProgress?: (progress: Progress, written: { documents: number; passages: number }) => void;
  /** Checked between batches: a closing app stops seeding there. */
  signal?: AbortSignal | undefined;
}

/** What a seed did. */
export interface SeedResult {
  /** False when the seed had already completed before: nothing was read or written. */
  seeded: boolean;
  documents: number;
  passages: number;
  ms: number;
  /** Longest single write transaction, in milliseconds. */
  longestBatchMs: number;
}

const SEEDED_KEY = "corpus_seeded_at";

/**
 * Seeds the corpus once. Each batch of documents (with their passages and index entries) is one
 * short write transaction, so the shared writer is never held for long, and a document is
 * either wholly in or not at all. Completion is recorded in `search_meta` in the last batch's
 * transaction: a seed interrupted half-way is resumed from the source keys already present at
 * the next start, and a completed seed is never redone (documents deleted later stay deleted).
 *
 * @example
 * ```ts
 * const result = await seedCorpus(db, { progress: createProgressReporter() });
 * console.log(`${result.passages} passages in ${result.ms} ms`);
 * ```
 */
export async function seedCorpus(db: SqlitePool, options: SeedOptions = {}): Promise<SeedResult> {
  const startedAt = performance.now();
  const done = { documents: 0, passages: 0 };
  if (await db.get("select 1 from search_meta where key = ?", [SEEDED_KEY])) {
    return { seeded: false, ...done, ms: 0, longestBatchMs: 0 };
  }

  const corpus = (options.corpus ?? loadCorpus)();
  const label = "search: seeding";
  const packing = (done: number): Progress => ({
    done,
    total: corpus.length,
    unit: "documents split into passages",
  });
  options.onProgress?.(packing(0), { ...done });
  const present = new Set(
    (
      await db.all<{ key: string }>(
        "select source_key as key from search_documents where source_key is not null",
      )
    ).map((row) => row.key),
  );
  const packed: Array<{ doc: CorpusDocument; passages: string[] }> = [];
  for (const doc of corpus) {
    options.signal?.throwIfAborted();
    packed.push({ doc, passages: packSentences(doc.body, { maxChars: PASSAGE_MAX_CHARS }) });
    // Packing the full corpus takes ~0.5 s of CPU: give the event loop a turn now and then.
    if (packed.length % 16 === 0) {
      options.onProgress?.(packing(packed.length), { ...done });
      await nextTurn();
    }
  }
  const total = {
    documents: packed.length,
    passages: packed.reduce((sum, p) => sum + p.passages.length, 0),
  };
  const todo = packed.filter(({ doc }) => {
    if (!present.has(doc.key)) return true;
    done.documents++;
    return false;
  });
  for (const { doc, passages } of packed)
    if (present.has(doc.key)) done.passages += passages.length;

  const report = () => {
    const progress: Progress = {
      done: done.passages,
      total: total.passages,
      unit: "passages",
      detail: `${done.documents}/${total.documents} documents`,
    };
    options.onProgress?.(progress, { ...done });
    options.progress?.update(label, progress);
  };
  report();

  const batchPassages = options.batchPassages ?? 100;
  let longestBatchMs = 0;
  let next = 0;
  do {
    options.signal?.throwIfAborted();
    const batch: typeof todo = [];
    let size = 0;
    while (next < todo.length && (batch.length === 0 || size < batchPassages)) {
      const item = todo[next++]!;
      batch.push(item);
      size += item.passages.length;
    }
    const last = next >= todo.length;
    const batchStartedAt = performance.now();
    await db.transaction((tx) => {
      for (const { doc, passages } of batch) insertDocument(tx, doc, passages, doc.key);
      if (last) {
        tx.run("insert or replace into search_meta (key, value) values (?, ?)", [
          SEEDED_KEY,
          new Date().toISOString(),
        ]);
      }
    });
    longestBatchMs = Math.max(longestBatchMs, performance.now() - batchStartedAt);
    done.documents += batch.length;
    done.passages += size;
    report();
    // A transaction settles through promise callbacks only: without a real turn of the event
    // loop here, requests (health checks, other apps) would wait for the whole seed.
    await nextTurn();
  } while (next < todo.length);

  const ms = Math.round(performance.now() - startedAt);
  options.progress?.end(
    label,
    `${total.documents} documents, ${total.passages} passages in ${(ms / 1000).toFixed(1)} s`,
  );
  return { seeded: true, documents: done.documents, passages: done.passages, ms, longestBatchMs };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

import { AppError } from "@app/kit";
import type { SqlitePool, Transaction } from "@pool/sqlite";
import type { VectorStore } from "./vector-store.ts";

/** A document as clients send it (the same shape in every app). */
export interface DocumentInput {
  title: string;
  body: string;
  year?: number | null | undefined;
  president?: string | null | undefined;
}

/** A document in the list, without its body. */
export interface DocumentSummary {
  id: number;
  title: string;
  year: number | null;
  president: string | null;
  /** The corpus entry it was seeded from (`sotu-042`), null for documents created through the API. */
  sourceKey: string | null;
  chunks: number;
}

/** A page of {@link DocumentSummary}, newest id first. */
export interface DocumentPage {
  documents: DocumentSummary[];
  total: number;
}

/** What {@link insertDocument} stores besides the document and its chunks. */
export interface InsertOptions {
  /** One vector per chunk, in order, stored through `store`. Seeding embeds later instead. */
  vectors?: { store: VectorStore; vectors: readonly ArrayLike<number>[] };
  /** The corpus entry (`sotu-042`) it comes from. */
  sourceKey?: string;
}

/**
 * Inserts a document and its chunks (the FTS triggers index them) in the caller's transaction,
 * and their vectors when given. Returns the ids.
 *
 * @example
 * ```ts
 * await db.transaction((tx) => insertDocument(tx, doc, chunks, { vectors: { store, vectors } }));
 * ```
 */
export function insertDocument(
  tx: Transaction,
  doc: DocumentInput,
  chunks: readonly string[],
  options: InsertOptions = {},
): { id: number; chunkIds: number[] } {
  const vectors = options.vectors?.vectors;
  if (vectors !== undefined && vectors.length !== chunks.length) {
    throw new RangeError(`${chunks.length} chunks but ${vectors.length} vectors`);
  }
  const { id } = tx.get<{ id: number }>(
    "insert into rag_documents (source_key, title, body, year, president) values (?, ?, ?, ?, ?) returning id",
    [options.sourceKey ?? null, doc.title, doc.body, doc.year ?? null, doc.president ?? null],
  )!;
  const chunkIds = chunks.map(
    (text, ordinal) =>
      tx.get<{ id: number }>(
        "insert into rag_chunks (document_id, ordinal, text) values (?, ?, ?) returning id",
        [id, ordinal, text],
      )!.id,
  );
  if (options.vectors !== undefined) {
    options.vectors.store.insert(
      tx,
      chunkIds.map((chunkId, i) => ({ chunkId, vector: vectors![i]! })),
    );
  }
  return { id, chunkIds };
}

/**
 * Lists documents, newest id first, with their chunk counts.
 *
 * @example
 * ```ts
 * const { documents, total } = await listDocuments(db, { limit: 20, offset: 0 });
 * ```
 */
export async function listDocuments(
  db: SqlitePool,
  page: { limit: number; offset: number },
): Promise<DocumentPage> {
  const [documents, count] = await Promise.all([
    db.all<DocumentSummary>(
      `select d.id, d.title, d.year, d.president, d.source_key as sourceKey,
         (select count(*) from rag_chunks c where c.document_id = d.id) as chunks
       from rag_documents d order by d.id desc limit ? offset ?`,
      [page.limit, page.offset],
    ),
    db.get<{ total: number }>("select count(*) as total from rag_documents"),
  ]);
  return { documents, total: count?.total ?? 0 };
}

/**
 * Deletes a document with its chunks, their FTS entries and their vectors, in one transaction.
 *
 * @throws {AppError} 404 `DOCUMENT_NOT_FOUND`
 * @example
 * ```ts
 * await deleteDocument(db, store, 42);
 * ```
 */
export async function deleteDocument(
  db: SqlitePool,
  store: VectorStore,
  id: number,
): Promise<void> {
  const { changes } = await db.transaction((tx) => {
    store.removeDocument(tx, id);
    return tx.run("delete from rag_documents where id = ?", [id]);
  });
  if (changes === 0) {
    throw new AppError(404, "DOCUMENT_NOT_FOUND", `no document with id ${id}`, "id");
  }
}

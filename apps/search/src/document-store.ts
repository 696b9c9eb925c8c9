import { AppError, packSentences } from "@app/kit";
import type { SqlitePool, Transaction } from "@pool/sqlite";

/** A document as clients send it. */
export interface DocumentInput {
  title: string;
  body: string;
  year?: number | null | undefined;
  president?: string | null | undefined;
}

/** A stored document as the API returns it. */
export interface StoredDocument {
  id: number;
  title: string;
  body: string;
  year: number | null;
  president: string | null;
  /** The corpus entry it was seeded from (`sotu-042`), null for documents created through the API. */
  sourceKey: string | null;
  passages: number;
}

/** Longest passage indexed; the snippets and the ranking are per passage. */
export const PASSAGE_MAX_CHARS = 1000;

/**
 * Inserts a document and its passages in the caller's transaction (the FTS triggers index each
 * passage in it). With a `sourceKey` already present (another process seeded it first) nothing
 * is written and `null` is returned.
 *
 * @example
 * ```ts
 * await db.transaction((tx) => insertDocument(tx, doc, packSentences(doc.body)));
 * ```
 */
export function insertDocument(
  tx: Transaction,
  doc: DocumentInput,
  passages: readonly string[],
  sourceKey: string | null = null,
): number | null {
  const row = tx.get<{ id: number }>(
    `insert into search_documents (source_key, title, body, year, president) values (?, ?, ?, ?, ?)
     on conflict (source_key) do nothing returning id`,
    [sourceKey, doc.title, doc.body, doc.year ?? null, doc.president ?? null],
  );
  if (!row) return null;
  insertPassages(tx, row.id, passages);
  return row.id;
}

function insertPassages(tx: Transaction, documentId: number, passages: readonly string[]): void {
  passages.forEach((text, ordinal) => {
    tx.run("insert into search_passages (document_id, ordinal, text) values (?, ?, ?)", [
      documentId,
      ordinal,
      text,
    ]);
  });
}

const GET_DOCUMENT_SQL = `select id, title, body, year, president, source_key as sourceKey,
    (select count(*) from search_passages where document_id = d.id) as passages
  from search_documents d where id = ?`;

/**
 * The documents routes' storage: reads on the pool's readers, each write in one transaction
 * so the passages and the index change together with the document.
 *
 * @example
 * ```ts
 * const store = new DocumentStore(db);
 * const id = await store.create({ title: "Notes", body: "Plain text." });
 * ```
 */
export class DocumentStore {
  readonly #db: SqlitePool;

  constructor(db: SqlitePool) {
    this.#db = db;
  }

  async create(doc: DocumentInput): Promise<number> {
    const passages = packSentences(doc.body, { maxChars: PASSAGE_MAX_CHARS });
    return this.#db.transaction((tx) => insertDocument(tx, doc, passages)!);
  }

  /**
   * A primary-key lookup costs microseconds, less than a round trip to an off-thread reader, so
   * it runs on a main-thread reader (`db.read`) even when the pool has `workers` for searches.
   *
   * @throws {AppError} 404 `DOCUMENT_NOT_FOUND`
   */
  async get(id: number): Promise<StoredDocument> {
    const doc = await this.#db.read(
      (conn) => conn.query(GET_DOCUMENT_SQL).get(id) as StoredDocument | null,
    );
    if (!doc) throw notFound(id);
    return doc;
  }

  /** Replaces title, body and metadata; the passages and the index follow in the same transaction. @throws {AppError} 404 */
  async replace(id: number, doc: DocumentInput): Promise<void> {
    const passages = packSentences(doc.body, { maxChars: PASSAGE_MAX_CHARS });
    await this.#db.transaction((tx) => {
      const { changes } = tx.run(
        "update search_documents set title = ?, body = ?, year = ?, president = ? where id = ?",
        [doc.title, doc.body, doc.year ?? null, doc.president ?? null, id],
      );
      if (changes === 0) throw notFound(id);
      tx.run("delete from search_passages where document_id = ?", [id]);
      insertPassages(tx, id, passages);
    });
  }

  /** Deletes the document; its passages go with it (cascade) and out of the index (trigger). @throws {AppError} 404 */
  async delete(id: number): Promise<void> {
    const { changes } = await this.#db.transaction((tx) =>
      tx.run("delete from search_documents where id = ?", [id]),
    );
    if (changes === 0) throw notFound(id);
  }
}

function notFound(id: number): AppError {
  return new AppError(404, "DOCUMENT_NOT_FOUND", `no document with id ${id}`, "id");
}

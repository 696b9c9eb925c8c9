import { ftsIndexSql } from "@app/kit";
import type { Migration } from "@pool/sqlite";

/**
 * The RAG app's schema, applied with `db.migrate("rag", ragMigrations)`. Every table is prefixed
 * `rag_`: the database is shared with the other apps.
 *
 * - `rag_documents` / `rag_chunks`: documents and their sentence-packed chunks (a cascade
 *   deletes the chunks, and with them their FTS entries and embeddings).
 * - `rag_chunks_fts`: FTS5, external content over `rag_chunks`, kept in step by triggers. The
 *   `porter` stemmer is on here (unlike search's index): questions are prose, and "economic"
 *   should find "economy"; nobody types prefix queries at RAG.
 * - `rag_embeddings`: every chunk's vector as float32 bytes, keyed by (model, chunk): the source
 *   of truth, which the JS cosine scan reads directly. Vectors of two models never meet in one
 *   query: queries read the active model's rows only, and a model change re-embeds into new rows
 *   before the old ones are dropped.
 * - `rag_vec` (not here): the `vec0` index, created at start-up when sqlite-vec is loaded on the
 *   pool's connections, since its dimension is fixed at creation and only the model knows it.
 *   It mirrors `rag_embeddings` and is rebuilt from it whenever `rag_meta.vec0_index` says it is
 *   out of step.
 * - `rag_meta`: `embed_model`, `dimensions` (what the stored vectors are), `vec0_index` (the
 *   model `rag_vec` mirrors, `''` when stale).
 * - `rag_seeded`: corpus entries already seeded, so a restart resumes instead of starting over
 *   and a seeded document that a user deleted stays deleted.
 *
 * @example
 * ```ts
 * await db.migrate("rag", ragMigrations);
 * ```
 */
export const ragMigrations: Migration[] = [
  `
  create table rag_documents (
    id integer primary key,
    source_key text unique,
    title text not null,
    body text not null,
    year integer,
    president text
  );

  create table rag_chunks (
    id integer primary key,
    document_id integer not null references rag_documents(id) on delete cascade,
    ordinal integer not null,
    text text not null,
    unique (document_id, ordinal)
  );

  ${ftsIndexSql({ table: "rag_chunks", tokenize: "porter unicode61 remove_diacritics 2" })}
  create table rag_embeddings (
    model text not null,
    chunk_id integer not null references rag_chunks(id) on delete cascade,
    vector blob not null,
    primary key (model, chunk_id)
  ) without rowid;
  -- The cascade from rag_chunks looks rows up by chunk.
  create index rag_embeddings_chunk on rag_embeddings(chunk_id);

  create table rag_meta (
    key text primary key,
    value text not null
  ) without rowid;

  create table rag_seeded (
    source_key text primary key
  ) without rowid;
  `,
];

import { ftsIndexSql } from "@app/kit";
import type { Migration } from "@pool/sqlite";

/**
 * The search app's schema, applied with `db.migrate("search", searchMigrations)`. Every table
 * is prefixed `search_`: the database is shared with the other apps.
 *
 * Tokenizer: `unicode61` with diacritics folded, not `porter`. The query syntax offers explicit
 * prefixes (`emancipat*`), and porter breaks them: the index holds stems ("emancip"), so the
 * prefix "emancipat" matches nothing; porter also over-stems ("universe" finds "university"),
 * which makes hits and the highlighted words surprising. Users who want word variants write
 * `tax*`.
 *
 * The FTS5 table is external-content over `search_passages`, kept in step by triggers (a
 * cascade delete of a document fires the passages' delete trigger too), so the text is stored
 * once and every write path (seed, POST, PUT, DELETE) updates the index in its own transaction.
 * `search_meta` records that the corpus seed completed.
 *
 * @example
 * ```ts
 * await db.migrate("search", searchMigrations);
 * ```
 */
export const searchMigrations: Migration[] = [
  `
  create table search_documents (
    id integer primary key,
    source_key text unique,
    title text not null,
    body text not null,
    year integer,
    president text
  );
  create index search_documents_year on search_documents(year);
  create index search_documents_president on search_documents(president collate nocase);

  create table search_passages (
    id integer primary key,
    document_id integer not null references search_documents(id) on delete cascade,
    ordinal integer not null,
    text text not null,
    unique (document_id, ordinal)
  );

  ${ftsIndexSql({ table: "search_passages", tokenize: "unicode61 remove_diacritics 2" })}
  create table search_meta (
    key text primary key,
    value text not null
  ) without rowid;
  `,
];

/**
 * What {@link ftsIndexSql} indexes: a `text` column of `table`, whose rows have an integer
 * primary key `id`.
 */
export interface FtsIndexSpec {
  /** The content table, e.g. `search_passages`. */
  table: string;
  /** The FTS5 tokenizer, e.g. `unicode61 remove_diacritics 2`. */
  tokenize: string;
}

/**
 * The SQL of an external-content FTS5 index named `<table>_fts` over `<table>.text`, kept in
 * step by insert, delete and update triggers: the text is stored once, and every write path
 * (and a cascade delete) updates the index in its own transaction. For a migration.
 *
 * @example
 * ```ts
 * const migrations = [
 *   "create table notes(id integer primary key, text text not null)",
 *   ftsIndexSql({ table: "notes", tokenize: "unicode61" }),
 * ];
 * ```
 */
export function ftsIndexSql({ table, tokenize }: FtsIndexSpec): string {
  const fts = `${table}_fts`;
  return `
  create virtual table ${fts} using fts5(
    text,
    content = '${table}',
    content_rowid = 'id',
    tokenize = '${tokenize}'
  );

  create trigger ${table}_ai after insert on ${table} begin
    insert into ${fts}(rowid, text) values (new.id, new.text);
  end;
  create trigger ${table}_ad after delete on ${table} begin
    insert into ${fts}(${fts}, rowid, text) values ('delete', old.id, old.text);
  end;
  create trigger ${table}_au after update on ${table} begin
    insert into ${fts}(${fts}, rowid, text) values ('delete', old.id, old.text);
    insert into ${fts}(rowid, text) values (new.id, new.text);
  end;
`;
}

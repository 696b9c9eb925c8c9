import type { Migration } from "@pool/sqlite";

/**
 * The CAG app's schema, applied with `db.migrate("cag", cagMigrations)`. Tables are prefixed
 * `cag_`: the database is shared with the other apps.
 *
 * `cag_answers` is the answer cache. `key` is sha256 of the chat model, the context hash and
 * the normalized question, so an entry made under another model or context can never be found;
 * `model`, `context_hash` and `embed_model` are kept beside it so that start-up can purge such
 * entries. `embedding` is the question's float32 embedding (little-endian, L2-normalised) for
 * semantic hits. `created_at_ms` drives the TTL, `last_used_at_ms` the LRU eviction; `bytes` is
 * what an entry costs (question, answer and embedding), summed by `/cag/cache/stats`.
 *
 * @example
 * ```ts
 * await db.migrate("cag", cagMigrations);
 * ```
 */
export const cagMigrations: Migration[] = [
  `
  create table cag_answers (
    key text primary key,
    model text not null,
    context_hash text not null,
    embed_model text not null,
    question text not null,
    normalized text not null,
    answer text not null,
    embedding blob,
    created_at_ms integer not null,
    last_used_at_ms integer not null,
    hits integer not null default 0,
    bytes integer not null
  ) without rowid;
  create index cag_answers_lru on cag_answers(last_used_at_ms);
  create index cag_answers_created on cag_answers(created_at_ms);
  `,
];

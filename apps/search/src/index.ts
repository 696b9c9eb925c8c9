export type { DocumentInput, StoredDocument } from "./document-store.ts";
export { searchMigrations } from "./migrations.ts";
export type { QueryTerm } from "./query-parser.ts";
export { parseQuery, toFtsQuery } from "./query-parser.ts";
export type { SearchApp, SearchAppOptions } from "./search-app.ts";
export { createSearchApp } from "./search-app.ts";
export type { SearchHit, SearchPage, SearchParams } from "./search-index.ts";
export type { SeedOptions, SeedResult } from "./seed.ts";
export { seedCorpus } from "./seed.ts";

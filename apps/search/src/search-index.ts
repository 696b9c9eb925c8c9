import type { SqlitePool } from "@pool/sqlite";
import { MARK_CLOSE, MARK_OPEN, toHtmlSnippet } from "./snippet.ts";

/** A search over the passages, already parsed into an FTS5 query. */
export interface SearchParams {
  match: string;
  limit: number;
  offset: number;
  from?: number | undefined;
  to?: number | undefined;
  president?: string | undefined;
}

/** One document in the results, with the snippet of its best passage. */
export interface SearchHit {
  documentId: number;
  passageId: number;
  title: string;
  year: number | null;
  president: string | null;
  snippet: string;
  /** `-bm25()` of the best passage: higher is better. */
  score: number;
}

export interface SearchPage {
  hits: SearchHit[];
  total: number;
}

/** Tokens of context in a snippet (FTS5 caps it at 64). */
const SNIPPET_TOKENS = 24;

/*
 * Ranks documents by their best passage (the lowest bm25 over their matching passages; SQLite
 * takes the bare passage_id from that same row), pages them with a stable tie-break, counts
 * them with a window over the groups, and only then calls snippet() for the page's ten or so
 * passages: snippets are the costly part, so they are never made for rows not shown. The CROSS
 * JOIN keeps `page` as the outer loop, so the second MATCH is a rowid lookup per hit.
 * `matches` is MATERIALIZED because, flattened into the join, SQLite may drive the FTS table by
 * rowid from the passages side, where bm25() is refused ("unable to use function bm25 in the
 * requested context").
 */
const SEARCH_SQL = `
with matches as materialized (
  select rowid as passage_id, bm25(search_passages_fts) as rank
  from search_passages_fts where search_passages_fts match ?1
), ranked as (
  select p.document_id, min(m.rank) as rank, m.passage_id
  from matches m
  join search_passages p on p.id = m.passage_id
  join search_documents d on d.id = p.document_id
  where (?2 is null or d.year >= ?2)
    and (?3 is null or d.year <= ?3)
    and (?4 is null or d.president = ?4 collate nocase)
  group by p.document_id
), page as (
  select document_id, rank, passage_id, count(*) over () as total
  from ranked order by rank, document_id limit ?5 offset ?6
)
select page.document_id as documentId, page.passage_id as passageId, -page.rank as score,
  page.total, d.title, d.year, d.president,
  snippet(search_passages_fts, 0, '${MARK_OPEN}', '${MARK_CLOSE}', '…', ${SNIPPET_TOKENS}) as snippet
from page
cross join search_passages_fts on search_passages_fts.rowid = page.passage_id
join search_documents d on d.id = page.document_id
where search_passages_fts match ?1
order by page.rank, page.document_id`;

const COUNT_SQL = `
with matches as materialized (
  select rowid as passage_id from search_passages_fts where search_passages_fts match ?1
)
select count(distinct p.document_id) as total
from matches m
join search_passages p on p.id = m.passage_id
join search_documents d on d.id = p.document_id
where (?2 is null or d.year >= ?2)
  and (?3 is null or d.year <= ?3)
  and (?4 is null or d.president = ?4 collate nocase)`;

type Row = Omit<SearchHit, "snippet"> & { total: number; snippet: string };

/**
 * Runs one search through the pool's readers (`db.all`: on Workers when the pool has them).
 *
 * @example
 * ```ts
 * const page = await search(db, { match: '"emancipation"', limit: 10, offset: 0 });
 * page.total; page.hits[0]?.snippet; // "… the <mark>emancipation</mark> …"
 * ```
 */
export async function search(db: SqlitePool, params: SearchParams): Promise<SearchPage> {
  const filters = [params.from ?? null, params.to ?? null, params.president ?? null];
  const rows = await db.all<Row>(SEARCH_SQL, [
    params.match,
    ...filters,
    params.limit,
    params.offset,
  ]);
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && params.offset > 0) {
    // Past the last page the window has no row to report the total on.
    total = (await db.get<{ total: number }>(COUNT_SQL, [params.match, ...filters]))?.total ?? 0;
  }
  return {
    total,
    hits: rows.map((row) => ({
      documentId: row.documentId,
      passageId: row.passageId,
      title: row.title,
      year: row.year,
      president: row.president,
      snippet: toHtmlSnippet(row.snippet),
      score: row.score,
    })),
  };
}

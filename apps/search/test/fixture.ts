import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CorpusDocument } from "@app/kit";
import { SqlitePool } from "@pool/sqlite";
import { createSearchApp, type SearchApp, type SearchAppOptions } from "../src/index.ts";

/** A small corpus whose counts and rankings the tests know by heart. */
export const fixtureCorpus: CorpusDocument[] = [
  doc(0, 1862, "Abraham Lincoln", "Republican", [
    "The emancipation of the slaves is proposed.",
    "Fellow citizens, we cannot escape history.",
    "Gradual emancipation with compensation would cost less than war.",
  ]),
  doc(1, 1863, "Abraham Lincoln", "Republican", [
    "The emancipation proclamation was issued.",
    "The tariff and the tax on imports are reviewed.",
  ]),
  doc(2, 1935, "Franklin D Roosevelt", "Democratic", [
    "The New Deal brings social security to the aged.",
    "Taxation must be fair; taxes on wealth will rise.",
    "Security of the home is security of the nation.",
  ]),
  doc(3, 1941, "Franklin D Roosevelt", "Democratic", [
    "Freedom of speech and freedom of worship everywhere in the world.",
    "Freedom from want and freedom from fear.",
    "The freedom-loving nations stand together.",
  ]),
  doc(4, 1961, "Dwight D Eisenhower", "Republican", [
    "The budget is balanced and the national debt is reduced.",
    "Taxes were reduced <and> the economy grew & prospered.",
  ]),
  doc(5, 1961, "John F Kennedy", "Democratic", [
    "The state of the economy is disturbing.",
    "We shall explore space and the moon.",
  ]),
];

function doc(
  index: number,
  year: number,
  president: string,
  party: string,
  sentences: string[],
): CorpusDocument {
  return {
    key: `fixture-${index}`,
    title: `${president}, State of the Union ${year}`,
    body: sentences.join(" "),
    year,
    president,
    party,
  };
}

/**
 * A fresh temp database (or the one in `dir`, to test a restart) with the search tables, and a
 * search app over it (not started). `cleanup` closes both and removes the directory.
 */
export async function openSearch(
  options: Partial<Omit<SearchAppOptions, "db">> & {
    corpus?: CorpusDocument[];
    dir?: string;
    workers?: number;
  } = {},
): Promise<{ db: SqlitePool; search: SearchApp; dir: string; cleanup: () => Promise<void> }> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "search-test-"));
  const db = new SqlitePool({ path: join(dir, "search.db"), workers: options.workers ?? 0 });
  const corpus = options.corpus ?? fixtureCorpus;
  const { corpus: _corpus, dir: _dir, workers: _workers, ...appOptions } = options;
  const search = createSearchApp({
    db,
    ...appOptions,
    seed: { corpus: () => corpus.map((d) => ({ ...d })), ...options.seed },
  });
  await db.migrate(search.name, search.migrations);
  return {
    db,
    search,
    dir,
    cleanup: async () => {
      await search.close?.();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A started search app over the fixture corpus. */
export async function startedSearch(options: Parameters<typeof openSearch>[0] = {}) {
  const opened = await openSearch(options);
  await opened.search.start();
  return opened;
}

export interface SearchBody {
  hits: Array<{
    documentId: number;
    passageId: number;
    title: string;
    year: number | null;
    president: string | null;
    snippet: string;
    score: number;
  }>;
  total: number;
  limit: number;
  offset: number;
}

export interface ErrorResponse {
  error: {
    code: string;
    message: string;
    field?: string;
    progress?: { done: number; total: number };
  };
}

/** `GET /?q=...` on the app, with the other parameters as given. */
export async function query(
  search: SearchApp,
  params: Record<string, string | number>,
): Promise<{ status: number; body: SearchBody & ErrorResponse }> {
  const qs = new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  );
  const res = await search.app.request(`/?${qs}`);
  return { status: res.status, body: (await res.json()) as SearchBody & ErrorResponse };
}

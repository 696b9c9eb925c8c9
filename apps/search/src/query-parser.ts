import { AppError } from "@app/kit";

/** One part of a parsed query: a word (or hyphenated compound), or a quoted phrase. */
export interface QueryTerm {
  text: string;
  phrase: boolean;
  /** A trailing `*`: the term's last word matches as a prefix. */
  prefix: boolean;
}

/**
 * Characters the `unicode61` tokenizer keeps inside tokens (letters, digits, marks); a term
 * without one is empty to FTS5 and is dropped.
 */
const tokenChar = /[\p{L}\p{N}]/u;
const nonTokenChars = /[^\p{L}\p{N}]+/u;
/** Control characters: FTS5 stops reading a string at NUL, so they all become spaces. */
const control = /\p{Cc}/gu;
const most = 64;
/**
 * Shortest prefix: `a*` expands to every word starting with "a" (about 300 ms over the whole
 * corpus, against 5–150 ms for two letters or more), for results nobody can use.
 */
const MIN_PREFIX_CHARS = 2;

/**
 * Parses what a user typed into terms. Words outside quotes must all match; `"..."` is an exact
 * phrase (an unclosed quote runs to the end); a trailing `*` makes a prefix. Everything else
 * (`?`, `(`, `'`, `+`, `AND`, `NEAR`, `freedom-loving`) is just text: operators are never
 * honoured, so no input can change the query's structure.
 *
 * @throws {AppError} 400 `INVALID_QUERY` when nothing searchable is left, a prefix is shorter than
 *   2 letters, or there are more than 64 terms.
 * @example
 * ```ts
 * parseQuery('"New Deal" tax* freedom-loving');
 * // [{ text: "New Deal", phrase: true, prefix: false }, { text: "tax", phrase: false, prefix: true },
 * //  { text: "freedom-loving", phrase: false, prefix: false }]
 * ```
 */
export function parseQuery(input: string): QueryTerm[] {
  const text = input.replace(control, " ");
  const terms: QueryTerm[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (char === '"') {
      const close = text.indexOf('"', i + 1);
      const end = close === -1 ? text.length : close;
      let next = close === -1 ? text.length : close + 1;
      const prefix = text[next] === "*";
      while (text[next] === "*") next++;
      push(terms, text.slice(i + 1, end), true, prefix);
      i = next;
      continue;
    }
    let end = i;
    while (end < text.length && !/\s/.test(text[end]!) && text[end] !== '"') end++;
    const word = text.slice(i, end);
    const stripped = word.replace(/\*+$/, "");
    push(terms, stripped, false, stripped.length < word.length);
    i = end;
  }
  if (terms.length === 0) {
    throw new AppError(400, "INVALID_QUERY", "the query has no words to search for", "q");
  }
  if (terms.length > most) {
    throw new AppError(400, "INVALID_QUERY", `the query has more than ${most} terms`, "q");
  }
  return terms;
}

function push(terms: QueryTerm[], raw: string, phrase: boolean, prefix: boolean): void {
  const text = raw.trim().replace(/\s+/g, " ");
  if (!tokenChar.test(text)) return;
  if (prefix) {
    // FTS5 applies the * to the last token of the term.
    const last = text.split(nonTokenChars).filter(Boolean).at(-1) ?? "";
    if ([...last].length < MIN_PREFIX_CHARS) {
      throw new AppError(
        400,
        "INVALID_QUERY",
        `a prefix needs at least ${MIN_PREFIX_CHARS} letters or digits before the *`,
        "q",
      );
    }
  }
  terms.push({ text, phrase, prefix });
}

/**
 * Builds the FTS5 `MATCH` string: every term double-quoted (inner quotes doubled), so FTS5 reads
 * it as a string whatever it holds; `"term"*` for a prefix. Terms are joined by spaces, which
 * FTS5 reads as AND.
 *
 * @example
 * ```ts
 * toFtsQuery([{ text: "tax", phrase: false, prefix: true }, { text: "a(b)", phrase: false, prefix: false }]);
 * // '"tax"* "a(b)"'
 * ```
 */
export function toFtsQuery(terms: readonly QueryTerm[]): string {
  return terms
    .map((term) => `"${term.text.replaceAll('"', '""')}"${term.prefix ? "*" : ""}`)
    .join(" ");
}

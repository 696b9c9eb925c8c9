/**
 * What FTS5's `snippet()` puts around matched words. Control characters that documents may not
 * contain (the document schema refuses them), so after HTML-escaping the text they can only be
 * the marks FTS5 inserted.
 */
export const MARK_OPEN = "\u0002";
export const MARK_CLOSE = "\u0003";

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * Turns a raw FTS5 snippet into HTML-safe text: the document's own `<`, `>`, `&` are escaped,
 * then the match marks become `<mark>`…`</mark>`. Escaping first is what keeps a document
 * containing `<script>` or a literal `<mark>` from injecting markup.
 *
 * @example
 * ```ts
 * toHtmlSnippet("a < b and \u0002tax\u0003 & c"); // "a &lt; b and <mark>tax</mark> &amp; c"
 * ```
 */
export function toHtmlSnippet(raw: string): string {
  return raw
    .replace(/[&<>]/g, (char) => escapes[char]!)
    .replaceAll(MARK_OPEN, "<mark>")
    .replaceAll(MARK_CLOSE, "</mark>");
}

import type { CorpusDocument } from "@app/kit";
import { estimateTokens } from "./token-estimate.ts";

/**
 * The instructions that open the system prompt. Part of the cached prefix: changing a byte here
 * changes the context hash, which (rightly) empties the answer cache.
 *
 * @example
 * ```ts
 * context.prefix.startsWith(CONTEXT_INSTRUCTIONS); // true
 * ```
 */
export const CONTEXT_INSTRUCTIONS =
  "You answer questions about the United States State of the Union addresses below, " +
  "using only what they say. Name the president and year of the address you draw on. " +
  "If the addresses do not answer the question, say that they do not.";

/**
 * One address of the preloaded context, as the app logs and reports it.
 *
 * @example
 * ```ts
 * context.documents[0]; // { key: "sotu-232", title: "Joseph R Biden, State of the Union 2021", year: 2021, tokens: 11739 }
 * ```
 */
export interface ContextDocumentInfo {
  key: string;
  title: string;
  year: number;
  /** Estimated tokens of this address's section of the prompt (heading included). */
  tokens: number;
}

/**
 * The preloaded context: one system prompt whose bytes depend only on the corpus, the budget and
 * the model, never on the time or the request, so the LLM can reuse its evaluated prefix.
 *
 * @example
 * ```ts
 * const context: PreloadedContext = buildContext(loadCorpus(), { budgetTokens: 24_000, model });
 * ```
 */
export interface PreloadedContext {
  /** The system prompt, byte for byte as every chat request sends it. */
  prefix: string;
  /** sha256 (hex) of the model name, a NUL and the prefix's UTF-8 bytes: the context's identity. */
  hash: string;
  /** The chat model the hash includes. */
  model: string;
  /** The chosen addresses, in prompt order (most recent first). */
  documents: ContextDocumentInfo[];
  /** Estimated tokens of the whole prefix ({@link estimateTokens}); at most `budgetTokens`. */
  tokens: number;
  budgetTokens: number;
  /** UTF-8 bytes of the prefix. */
  bytes: number;
}

/**
 * Chooses the addresses for the preloaded context and assembles its system prompt: the most
 * recent addresses first (year, then entry order, both descending), each whole, until the next
 * one would push the estimated tokens of the prompt past `budgetTokens`; then it stops, so the
 * context is one unbroken run of recent years rather than recent years with older gaps filled
 * in. Each address is a section `### <title>` followed by its text. The same corpus, budget and
 * model always give the same bytes and hash.
 *
 * @throws {RangeError} when not even the most recent address fits the budget.
 * @example
 * ```ts
 * const context = buildContext(loadCorpus(), { budgetTokens: 24_000, model: "llama3.2" });
 * context.documents.map((d) => d.title); // ["Joseph R. Biden, State of the Union 2021", ...]
 * context.hash; // "3f1c…" (64 hex digits)
 * ```
 */
export function buildContext(
  corpus: readonly CorpusDocument[],
  options: { budgetTokens: number; model: string },
): PreloadedContext {
  const ordered = [...corpus].sort((a, b) => b.year - a.year || compareKeys(b.key, a.key));
  let prefix = CONTEXT_INSTRUCTIONS;
  let tokens = estimateTokens(prefix);
  const documents: ContextDocumentInfo[] = [];
  for (const doc of ordered) {
    const section = `\n\n### ${doc.title}\n${doc.body}`;
    const sectionTokens = estimateTokens(section);
    if (tokens + sectionTokens > options.budgetTokens) break;
    prefix += section;
    tokens += sectionTokens;
    documents.push({ key: doc.key, title: doc.title, year: doc.year, tokens: sectionTokens });
  }
  if (documents.length === 0) {
    const first = ordered[0];
    throw new RangeError(
      first
        ? `a context budget of ${options.budgetTokens} tokens holds no address: the most recent, ` +
            `"${first.title}", needs about ${tokens + estimateTokens(first.body)}`
        : "the corpus is empty: there is nothing to preload",
    );
  }
  return {
    prefix,
    hash: contextHash(options.model, prefix),
    model: options.model,
    documents,
    tokens,
    budgetTokens: options.budgetTokens,
    bytes: Buffer.byteLength(prefix, "utf8"),
  };
}

/**
 * sha256 (hex) of `model`, a NUL byte and `prefix` in UTF-8: what identifies a preloaded context.
 *
 * @example
 * ```ts
 * contextHash("llama3.2", "You answer…").length; // 64
 * ```
 */
export function contextHash(model: string, prefix: string): string {
  return new Bun.CryptoHasher("sha256").update(model).update("\0").update(prefix).digest("hex");
}

// Keys are `sotu-NNN` for the corpus; a plain comparison keeps injected ones deterministic too.
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

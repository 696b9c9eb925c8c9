/**
 * Default `CAG_SEMANTIC_THRESHOLD` per embedding model: the cosine similarity from which a
 * cached question counts as the same question.
 *
 * - `standin-embed` (the built-in stand-in's feature hashing): 0.93, the middle of the gap its
 *   fixtures show (`semantic-threshold.test.ts`): reordered, case and punctuation variants
 *   score 0.955–1.0, different questions on the same topic 0.904 at most ("… the economy and
 *   jobs?" against "… the economy?"; "inflation and jobs" 0.77). Being lexical, it also misses
 *   true paraphrases that change the words ("added" for "add": 0.76).
 * - `nomic-embed-text`: 0.92, a documented starting point rather than a measured one (no real
 *   model runs offline here). Its cosines run high, so same-topic questions score well above
 *   what a lexical embedding gives them. Tune it against your own questions: a wrong hit serves
 *   another question's answer, a wrong miss only costs one LLM call.
 *
 * Any other model gets {@link FALLBACK_SEMANTIC_THRESHOLD}, set high on purpose.
 *
 * @example
 * ```ts
 * SEMANTIC_THRESHOLDS["nomic-embed-text"]; // 0.92
 * ```
 */
export const SEMANTIC_THRESHOLDS: Readonly<Record<string, number>> = {
  "standin-embed": 0.93,
  "nomic-embed-text": 0.92,
};

/**
 * For embedding models without a measured default: only near-identical questions match.
 *
 * @example
 * ```ts
 * defaultSemanticThreshold("unknown-model") === FALLBACK_SEMANTIC_THRESHOLD; // true
 * ```
 */
export const FALLBACK_SEMANTIC_THRESHOLD = 0.95;

/**
 * The default semantic threshold for an embedding model, ignoring case and a `:latest` tag.
 *
 * @example
 * ```ts
 * defaultSemanticThreshold("nomic-embed-text:latest"); // 0.92
 * defaultSemanticThreshold("some-other-embedder"); // 0.95
 * ```
 */
export function defaultSemanticThreshold(embedModel: string): number {
  const name = embedModel.toLowerCase().replace(/:latest$/, "");
  return SEMANTIC_THRESHOLDS[name] ?? FALLBACK_SEMANTIC_THRESHOLD;
}

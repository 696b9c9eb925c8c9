/**
 * The form of a question the exact cache is keyed on: Unicode-compatibility folded (NFKC, so a
 * full-width `？` or a ligature is the plain character), lower-cased, every punctuation mark and
 * symbol turned into a space, and runs of whitespace collapsed. Word order is kept: "jobs and
 * the economy" and "the economy and jobs" are different keys (the semantic cache matches them).
 * An empty result means the question has no words.
 *
 * @example
 * ```ts
 * normalizeQuestion("  What did the President say about JOBS?! "); // "what did the president say about jobs"
 * normalizeQuestion("State-of-the-union?"); // "state of the union"
 * ```
 */
export function normalizeQuestion(question: string): string {
  return question
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .replace(/\s+/gu, " ")
    .trim();
}

import type { RetrievedChunk } from "./retriever.ts";

/** One source of an answer, in the order the passages were numbered ([1] first). */
export interface Citation {
  documentId: number;
  title: string;
  chunkId: number;
  /** The chunk's opening, cut at a word boundary. */
  excerpt: string;
  /** The fused (RRF) score; higher is better. */
  score: number;
}

const EXCERPT_CHARS = 240;

/**
 * The citations of the chunks given to the model.
 *
 * @example
 * ```ts
 * toCitations(prompt.used); // [{ documentId: 3, title: "...", chunkId: 41, excerpt: "We must…", score: 0.0328 }]
 * ```
 */
export function toCitations(chunks: readonly RetrievedChunk[]): Citation[] {
  return chunks.map((chunk) => ({
    documentId: chunk.documentId,
    title: chunk.title,
    chunkId: chunk.chunkId,
    excerpt: excerpt(chunk.text),
    score: chunk.score,
  }));
}

function excerpt(text: string): string {
  if (text.length <= EXCERPT_CHARS) return text;
  const cut = text.lastIndexOf(" ", EXCERPT_CHARS);
  return `${text.slice(0, cut > EXCERPT_CHARS / 2 ? cut : EXCERPT_CHARS).trimEnd()}…`;
}

import { splitSentences } from "./split-sentences.ts";

/** Options of {@link packSentences}. */
export interface PackOptions {
  /** Longest passage in characters. Default 1000. */
  maxChars?: number;
  /** Up to this many characters of whole trailing sentences are repeated at the start of the next passage. Default 0. */
  overlapChars?: number;
}

/**
 * Packs the sentences of a plain text (the corpus has no newlines, hence no paragraphs) into
 * passages of at most `maxChars`, breaking only between sentences. A sentence longer than
 * `maxChars` is cut between words (a single word longer still, between characters). With
 * `overlapChars`, each passage starts with the last whole sentences of the previous one that
 * fit in that many characters, so a fact straddling two passages is found whole in one.
 *
 * @example
 * ```ts
 * packSentences("One. Two. Three.", { maxChars: 10 }); // ["One. Two.", "Three."]
 * packSentences("One. Two. Three.", { maxChars: 10, overlapChars: 4 }); // ["One. Two.", "Two. Three."]
 * ```
 */
export function packSentences(text: string, options: PackOptions = {}): string[] {
  const maxChars = options.maxChars ?? 1000;
  const overlapChars = options.overlapChars ?? 0;
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
  }
  if (!Number.isInteger(overlapChars) || overlapChars < 0 || overlapChars >= maxChars) {
    throw new RangeError(`overlapChars must be an integer in [0, maxChars), got ${overlapChars}`);
  }

  const units = splitSentences(text).flatMap((sentence) =>
    sentence.length <= maxChars ? [sentence] : splitWords(sentence, maxChars),
  );
  const passages: string[] = [];
  let current: string[] = [];
  let length = 0; // of current.join(" ")
  let fresh = false; // current holds a unit not yet in an emitted passage

  for (const unit of units) {
    if (current.length > 0 && length + 1 + unit.length > maxChars) {
      if (fresh) passages.push(current.join(" "));
      current = overlapTail(current, overlapChars);
      length = joinedLength(current);
      // The overlap gives way when it would push the new unit past maxChars.
      while (current.length > 0 && length + 1 + unit.length > maxChars) {
        current.shift();
        length = joinedLength(current);
      }
    }
    length = current.length === 0 ? unit.length : length + 1 + unit.length;
    current.push(unit);
    fresh = true;
  }
  if (fresh) passages.push(current.join(" "));
  return passages;
}

/** The longest run of trailing sentences whose joined length is at most `overlapChars`. */
function overlapTail(sentences: string[], overlapChars: number): string[] {
  const tail: string[] = [];
  let length = -1;
  for (let i = sentences.length - 1; i >= 0; i--) {
    const next = length + 1 + sentences[i]!.length;
    if (next > overlapChars) break;
    tail.unshift(sentences[i]!);
    length = next;
  }
  return tail;
}

function joinedLength(parts: string[]): number {
  return parts.reduce((sum, part) => sum + part.length, 0) + Math.max(0, parts.length - 1);
}

/** Cuts an over-long sentence between words into pieces of at most `maxChars`. */
function splitWords(sentence: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let piece = "";
  for (const word of sentence.split(/\s+/)) {
    if (word === "") continue;
    if (piece !== "" && piece.length + 1 + word.length <= maxChars) {
      piece += ` ${word}`;
      continue;
    }
    if (piece !== "") pieces.push(piece);
    piece = word;
    while (piece.length > maxChars) {
      // Never cut between the two halves of a surrogate pair (an emoji).
      const high = piece.charCodeAt(maxChars - 1);
      const cut = high >= 0xd800 && high <= 0xdbff && maxChars > 1 ? maxChars - 1 : maxChars;
      pieces.push(piece.slice(0, cut));
      piece = piece.slice(cut);
    }
  }
  if (piece !== "") pieces.push(piece);
  return pieces;
}

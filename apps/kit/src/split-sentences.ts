const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });

/** Titles the segmenter takes for a sentence end ("Mr. Speaker"): the next segment joins them. */
const abbreviation =
  /(?:^|[\s(])(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Col|Capt|Gov|Sen|Rep|Rev|Hon|Messrs|No|Nos|vs|viz|etc|U\.S|D\.C)\.\s*$/;

/**
 * Splits plain text into sentences with ICU's sentence rules (`Intl.Segmenter`), gluing back
 * the splits after common titles. Each sentence is trimmed; empty ones are dropped.
 *
 * @example
 * ```ts
 * splitSentences("Mr. Speaker, thank you. We begin."); // ["Mr. Speaker, thank you.", "We begin."]
 * ```
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  let pending = "";
  for (const { segment } of segmenter.segment(text)) {
    pending += segment;
    if (abbreviation.test(pending)) continue;
    const sentence = pending.trim();
    if (sentence !== "") sentences.push(sentence);
    pending = "";
  }
  const rest = pending.trim();
  if (rest !== "") sentences.push(rest);
  return sentences;
}

import { cosine, embedText } from "./embed-text.ts";
import { LruCache } from "./lru-cache.ts";
import type { ChatMessage } from "./prompt-template.ts";
import { splitSentences } from "./sentences.ts";
import { contentWords } from "./words.ts";

/** What the stand-in answers when no sentence of the context matches the question. */
export const NO_ANSWER = "I don't know from the given context.";

/** Most sentences an answer quotes. */
const MAX_SENTENCES = 3;
// A sentence must score at least this share of the best one to join it in the answer.
const RELATIVE_CUTOFF = 0.5;
// Words sharing this many leading letters count as one ("economy", "economic"): a crude stemmer.
const STEM_LENGTH = 5;

// Only long contexts are worth keeping: short ones are cheaper to analyse than to look up.
const CACHE_MIN_CHARS = 2_000;
const analysed = new LruCache<string, AnalysedSentence[]>(16);

interface AnalysedSentence {
  sentence: string;
  stems: Set<string>;
  vector?: number[];
}

/** The question and context the stand-in reads out of a conversation. */
export interface ChatInput {
  question: string;
  context: string;
}

/**
 * Reads the question and the context out of chat messages. The question is the last user
 * message, or, when it has a line starting with `Question:`, the text after the last such marker.
 * The context is every system message, every other user message, and the part of the last user
 * message before that marker. Assistant messages are ignored.
 *
 * @example
 * ```ts
 * splitChat([{ role: "system", content: "Cats purr." }, { role: "user", content: "Do cats purr?" }]);
 * // { question: "Do cats purr?", context: "Cats purr." }
 * ```
 */
export function splitChat(messages: readonly ChatMessage[]): ChatInput {
  let last = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === "user") {
      last = i;
      break;
    }
  }
  const parts: string[] = [];
  messages.forEach((message, i) => {
    if (i !== last && (message.role === "system" || message.role === "user")) {
      parts.push(message.content);
    }
  });
  let question = last >= 0 ? messages[last]!.content : "";
  const markers = [...question.matchAll(/^[ \t]*Question:/gm)];
  const marker = markers.at(-1);
  if (marker !== undefined) {
    parts.push(question.slice(0, marker.index));
    question = question.slice(marker.index + marker[0].length);
  }
  return { question: question.trim(), context: parts.join("\n").trim() };
}

/**
 * The extractive answer to a question from a context: the 1 to 3 sentences of the context that
 * best match the question, best first. A sentence's score is the number of the question's content
 * words it contains (words that share their first five letters count as the same) plus the
 * cosine of the two {@link embedText} vectors; sentences without a shared content word never
 * qualify, and those under half the best score are left out. With no match the answer is
 * {@link NO_ANSWER}.
 *
 * @example
 * ```ts
 * extractAnswer("What do cats eat?", "Dogs bark. Cats eat fish. The sky is blue.");
 * // "Cats eat fish."
 * ```
 */
export function extractAnswer(question: string, context: string): string {
  const wanted = new Set(contentWords(question).map(stem));
  if (wanted.size === 0) return NO_ANSWER;
  const questionVector = embedText(question);
  const scored: { sentence: string; score: number; index: number }[] = [];
  analyse(context).forEach((entry, index) => {
    let overlap = 0;
    for (const word of wanted) if (entry.stems.has(word)) overlap++;
    if (overlap === 0) return;
    entry.vector ??= embedText(entry.sentence);
    scored.push({
      sentence: entry.sentence,
      index,
      score: overlap + cosine(questionVector, entry.vector),
    });
  });
  if (scored.length === 0) return NO_ANSWER;
  // Ties go to the earlier sentence, so the same input always gives the same answer.
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  const best = scored[0]!.score;
  return scored
    .filter((entry) => entry.score >= best * RELATIVE_CUTOFF)
    .slice(0, MAX_SENTENCES)
    .map((entry) => entry.sentence)
    .join(" ");
}

/**
 * The stand-in's reply to a conversation: {@link extractAnswer} over {@link splitChat}.
 *
 * @example
 * ```ts
 * answerChat([{ role: "user", content: "Cats eat fish.\nQuestion: What do cats eat?" }]); // "Cats eat fish."
 * ```
 */
export function answerChat(messages: readonly ChatMessage[]): string {
  const { question, context } = splitChat(messages);
  return extractAnswer(question, context);
}

// Sentences with their stems (and, once needed, their vectors), cached for long contexts.
function analyse(context: string): AnalysedSentence[] {
  const cached = context.length >= CACHE_MIN_CHARS ? analysed.get(context) : undefined;
  if (cached !== undefined) return cached;
  const sentences = splitSentences(context).map((sentence) => ({
    sentence,
    stems: new Set(contentWords(sentence).map(stem)),
  }));
  return context.length >= CACHE_MIN_CHARS ? analysed.set(context, sentences) : sentences;
}

function stem(word: string): string {
  return word.slice(0, STEM_LENGTH);
}

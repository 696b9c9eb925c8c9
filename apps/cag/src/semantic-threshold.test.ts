import { describe, expect, it } from "bun:test";
import { cosine, embedText } from "@app/ollama-standin";
import {
  defaultSemanticThreshold,
  FALLBACK_SEMANTIC_THRESHOLD,
  SEMANTIC_THRESHOLDS,
} from "./semantic-threshold.ts";

/** Pairs that ask the same thing: reordered, re-cased or re-punctuated. They must hit. */
const SAME_QUESTION: [string, string][] = [
  ["How many jobs did the economy add?", "how many JOBS did the economy add"],
  ["How many jobs did the economy add?", "How many jobs, did the economy add?!"],
  ["How many jobs did the economy add?", "The economy: how many jobs did it add?"],
  ["How many jobs did the economy add?", "Jobs: how many did the economy add?"],
  [
    "What did the president say about the economy and jobs?",
    "About the economy and jobs, what did the president say?",
  ],
  [
    "What did the president say about the economy and jobs?",
    "What did the president say about jobs and the economy?",
  ],
  [
    "How does the plan lower prescription drug prices?",
    "Prescription drug prices: how does the plan lower them?",
  ],
];

/** Pairs on one topic that ask different things. They must miss. */
const DIFFERENT_QUESTION: [string, string][] = [
  ["How many jobs did the economy add?", "How many jobs did the factories add?"],
  ["How many jobs did the economy add?", "How many jobs did the economy add this year?"],
  [
    "What did the president say about the economy and jobs?",
    "What did the president say about the economy?",
  ],
  [
    "What did the president say about the economy and jobs?",
    "What did the president say about inflation and jobs?",
  ],
  [
    "How does the plan lower prescription drug prices?",
    "How does the plan lower health insurance premiums?",
  ],
  ["What about infrastructure investment?", "What about investment in roads and bridges?"],
];

const score = ([a, b]: [string, string]) => cosine(embedText(a), embedText(b));

describe("defaultSemanticThreshold", () => {
  it("lets the stand-in's reordered, case and punctuation variants hit", () => {
    const threshold = defaultSemanticThreshold("standin-embed");
    for (const pair of SAME_QUESTION) {
      expect({ pair, hit: score(pair) >= threshold }).toEqual({ pair, hit: true });
    }
  });

  it("keeps different questions on the same topic under the stand-in's threshold", () => {
    const threshold = defaultSemanticThreshold("standin-embed");
    for (const pair of DIFFERENT_QUESTION) {
      expect({ pair, hit: score(pair) >= threshold }).toEqual({ pair, hit: false });
    }
  });

  it("sits in the gap between the two groups with a margin on each side", () => {
    const lowestSame = Math.min(...SAME_QUESTION.map(score));
    const highestDifferent = Math.max(...DIFFERENT_QUESTION.map(score));
    const threshold = SEMANTIC_THRESHOLDS["standin-embed"]!;
    expect(lowestSame - threshold).toBeGreaterThan(0.02);
    expect(threshold - highestDifferent).toBeGreaterThan(0.02);
  });

  it("has a documented default for nomic-embed-text, with or without :latest", () => {
    expect(defaultSemanticThreshold("nomic-embed-text")).toBe(0.92);
    expect(defaultSemanticThreshold("NOMIC-EMBED-TEXT:latest")).toBe(0.92);
  });

  it("falls back to a strict threshold for an unknown model", () => {
    expect(defaultSemanticThreshold("my-embedder")).toBe(FALLBACK_SEMANTIC_THRESHOLD);
    expect(FALLBACK_SEMANTIC_THRESHOLD).toBeGreaterThanOrEqual(0.95);
  });
});

import { describe, expect, it } from "bun:test";
import { packSentences } from "./pack-sentences.ts";
import { splitSentences } from "./split-sentences.ts";

const sentence = (i: number, words = 6) =>
  `Sentence ${i} ${Array.from({ length: words }, (_, w) => `word${w}`).join(" ")}.`;
const text = Array.from({ length: 40 }, (_, i) => sentence(i)).join(" ");

describe("splitSentences", () => {
  it("does not end a sentence after a title such as Mr.", () => {
    expect(splitSentences("Mr. Speaker, Mr. President, thank you. We begin! Do we? Yes.")).toEqual([
      "Mr. Speaker, Mr. President, thank you.",
      "We begin!",
      "Do we?",
      "Yes.",
    ]);
  });
});

describe("packSentences", () => {
  it("keeps every passage within maxChars and loses no sentence", () => {
    const passages = packSentences(text, { maxChars: 120 });
    expect(passages.length).toBeGreaterThan(5);
    for (const passage of passages) expect(passage.length).toBeLessThanOrEqual(120);
    expect(passages.join(" ")).toBe(text);
  });

  it("breaks only between sentences", () => {
    const sentences = new Set(splitSentences(text));
    for (const passage of packSentences(text, { maxChars: 120 })) {
      for (const part of splitSentences(passage)) expect(sentences.has(part)).toBe(true);
    }
  });

  it("fills passages greedily: the next sentence would not have fitted", () => {
    const passages = packSentences(text, { maxChars: 120 });
    for (let i = 0; i + 1 < passages.length; i++) {
      const next = splitSentences(passages[i + 1]!)[0]!;
      expect(passages[i]!.length + 1 + next.length).toBeGreaterThan(120);
    }
  });

  it("cuts a sentence longer than maxChars between words", () => {
    const long = `${Array.from({ length: 60 }, (_, i) => `w${i}`).join(" ")}.`;
    const passages = packSentences(`Short one. ${long} Short two.`, { maxChars: 50 });
    for (const passage of passages) expect(passage.length).toBeLessThanOrEqual(50);
    const words = passages.join(" ").split(" ");
    expect(words).toEqual(`Short one. ${long} Short two.`.split(" "));
    for (const passage of passages) expect(passage).toMatch(/^\S.*\S$/);
  });

  it("cuts a single word longer than maxChars into pieces, never splitting an emoji", () => {
    const word = "😀".repeat(30); // 60 UTF-16 units
    const passages = packSentences(word, { maxChars: 25 });
    for (const passage of passages) {
      expect(passage.length).toBeLessThanOrEqual(25);
      expect(passage).toBe(passage.toWellFormed());
    }
    expect(passages.join("")).toBe(word);
  });

  it("repeats the last whole sentences that fit in overlapChars", () => {
    const passages = packSentences(text, { maxChars: 120, overlapChars: 60 });
    expect(passages.length).toBeGreaterThan(5);
    for (let i = 0; i + 1 < passages.length; i++) {
      const previous = splitSentences(passages[i]!);
      const first = splitSentences(passages[i + 1]!)[0]!;
      expect(first).toBe(previous.at(-1)!);
      expect(passages[i + 1]!.length).toBeLessThanOrEqual(120);
    }
  });

  it("without overlap, no sentence appears twice", () => {
    const parts = packSentences(text, { maxChars: 120 }).flatMap(splitSentences);
    expect(new Set(parts).size).toBe(parts.length);
    expect(parts.length).toBe(40);
  });

  it("returns nothing for empty or blank text", () => {
    expect(packSentences("")).toEqual([]);
    expect(packSentences("   ")).toEqual([]);
  });

  it("refuses a maxChars below 1 or an overlap not below maxChars", () => {
    expect(() => packSentences(text, { maxChars: 0 })).toThrow(RangeError);
    expect(() => packSentences(text, { maxChars: 100, overlapChars: 100 })).toThrow(RangeError);
    expect(() => packSentences(text, { overlapChars: -1 })).toThrow(RangeError);
  });
});

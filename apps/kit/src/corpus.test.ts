import { describe, expect, it } from "bun:test";
import { loadCorpus } from "./corpus.ts";
import { packSentences } from "./pack-sentences.ts";

describe("loadCorpus", () => {
  const docs = loadCorpus();

  it("loads the 233 addresses with unique keys", () => {
    expect(docs.length).toBe(233);
    expect(new Set(docs.map((d) => d.key)).size).toBe(233);
  });

  it("keeps both addresses of 1953 and of 1961", () => {
    const of = (year: number) => docs.filter((d) => d.year === year).map((d) => d.president);
    expect(of(1953).sort()).toEqual(["Dwight D Eisenhower", "Harry S Truman"]);
    expect(of(1961).sort()).toEqual(["Dwight D Eisenhower", "John F Kennedy"]);
  });

  it("gives every document a title from its president and year, and a non-empty body", () => {
    for (const doc of docs) {
      expect(doc.title).toContain(doc.president);
      expect(doc.title).toContain(String(doc.year));
      expect(doc.body.length).toBeGreaterThan(1000);
      expect(typeof doc.party).toBe("string");
    }
    expect(docs[0]).toMatchObject({ key: "sotu-000", year: 1790, president: "George Washington" });
    expect(docs.at(-1)).toMatchObject({ year: 2021, president: "Joseph R Biden" });
  });

  it("packs into about 12,000 passages of at most 1,000 characters", () => {
    const passages = docs.flatMap((doc) => packSentences(doc.body));
    expect(passages.length).toBeGreaterThan(11_000);
    expect(passages.length).toBeLessThan(14_000);
    expect(Math.max(...passages.map((p) => p.length))).toBeLessThanOrEqual(1000);
  });
});

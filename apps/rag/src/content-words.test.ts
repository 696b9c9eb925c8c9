import { describe, expect, it } from "bun:test";
import { contentWords, toFtsQuery } from "./content-words.ts";

describe("contentWords", () => {
  it("drops function and question words, lowercases, keeps first appearance once", () => {
    expect(contentWords("What did Lincoln say about the Union and the union's future?")).toEqual([
      "lincoln",
      "union",
      "unions",
      "future",
    ]);
  });

  it("answers nothing for a question made of function words", () => {
    expect(contentWords("What is it, and why?")).toEqual([]);
  });
});

describe("toFtsQuery", () => {
  it("quotes each content word and joins them with OR", () => {
    expect(toFtsQuery("What does X eat?")).toBe('"x" OR "eat"');
  });

  it("turns FTS5 syntax in the question into plain quoted words", () => {
    expect(toFtsQuery('tax AND (cuts OR "freedom-loving") NEAR* -x ^y')).toBe(
      '"tax" OR "cuts" OR "freedom" OR "loving" OR "near" OR "x" OR "y"',
    );
  });

  it("answers undefined when no content word is left", () => {
    expect(toFtsQuery("?? ... 'the'")).toBeUndefined();
  });
});

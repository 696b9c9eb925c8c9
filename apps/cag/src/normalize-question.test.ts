import { describe, expect, it } from "bun:test";
import { normalizeQuestion } from "./normalize-question.ts";

describe("normalizeQuestion", () => {
  it("folds case, punctuation and whitespace", () => {
    expect(normalizeQuestion("  What did the President say about JOBS?! ")).toBe(
      "what did the president say about jobs",
    );
    expect(normalizeQuestion("what\tdid the president\n say, about jobs")).toBe(
      "what did the president say about jobs",
    );
  });

  it("folds compatibility forms (full-width question mark, ligatures)", () => {
    expect(normalizeQuestion("ＪＯＢＳ？")).toBe("jobs");
    expect(normalizeQuestion("ﬁnance")).toBe("finance");
  });

  it("keeps word order, digits and letters of any script", () => {
    expect(normalizeQuestion("Jobs and the economy")).not.toBe(
      normalizeQuestion("The economy and jobs"),
    );
    expect(normalizeQuestion("Budget 2021: €5 trillion?")).toBe("budget 2021 5 trillion");
    expect(normalizeQuestion("Qu'a dit le Président ?")).toBe("qu a dit le président");
  });

  it("leaves nothing of a question without words", () => {
    expect(normalizeQuestion("?!… --- ***")).toBe("");
  });
});

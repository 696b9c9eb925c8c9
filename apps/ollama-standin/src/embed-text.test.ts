import { describe, expect, it } from "bun:test";
import { cosine, embedText } from "./embed-text.ts";

const similarity = (a: string, b: string) => cosine(embedText(a), embedText(b));

describe("embedText", () => {
  it("is deterministic and L2-normalised at the default 384 dimensions", () => {
    const vector = embedText("The state of the Union is strong.");
    expect(vector).toHaveLength(384);
    expect(embedText("The state of the Union is strong.")).toEqual(vector);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 10);
  });

  it("takes another dimension", () => {
    expect(embedText("taxes and tariffs", 64)).toHaveLength(64);
  });

  it("rejects a dimension that is not a positive integer", () => {
    expect(() => embedText("x", 0)).toThrow(RangeError);
    expect(() => embedText("x", 1.5)).toThrow(RangeError);
  });

  it("gives the zero vector for a text without content words", () => {
    expect(embedText("the of and ?!").every((value) => value === 0)).toBe(true);
  });

  it("scores case, punctuation and word-order variants above 0.95", () => {
    const base = "The economy grew strongly last year.";
    expect(similarity(base, "THE ECONOMY GREW STRONGLY LAST YEAR")).toBeGreaterThan(0.95);
    expect(similarity(base, "the economy grew strongly, last year!")).toBeGreaterThan(0.95);
    expect(similarity(base, "Last year the economy grew strongly.")).toBeGreaterThan(0.95);
    expect(
      similarity("What did Lincoln say about slavery?", "what did lincoln say about slavery"),
    ).toBeGreaterThan(0.95);
  });

  it("scores texts sharing most content words clearly above texts on another topic", () => {
    const query = "We must cut taxes for working families and small businesses.";
    const sameWords = similarity(query, "Small businesses and working families need lower taxes.");
    const otherTopic = similarity(
      query,
      "Our armed forces stand ready to defend the nation abroad.",
    );
    expect(sameWords).toBeGreaterThan(0.5);
    expect(sameWords - otherTopic).toBeGreaterThan(0.4);
  });

  it("scores unrelated texts below 0.1", () => {
    const pairs: [string, string][] = [
      ["The army and navy defend the nation.", "Schools must teach every child to read."],
      [
        "Tariffs on imported steel protect domestic industry.",
        "The moon landing inspired a generation of scientists.",
      ],
      ["Congress passed the civil rights act.", "Inflation erodes the savings of retired workers."],
    ];
    for (const [a, b] of pairs) expect(similarity(a, b)).toBeLessThan(0.1);
  });
});

describe("cosine", () => {
  it("is 1 for the same direction, 0 for orthogonal vectors and for a zero vector", () => {
    expect(cosine([1, 2], [2, 4])).toBeCloseTo(1, 12);
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([0, 0], [1, 1])).toBe(0);
  });

  it("rejects vectors of different lengths", () => {
    expect(() => cosine([1], [1, 2])).toThrow(RangeError);
  });
});

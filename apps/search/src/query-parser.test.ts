import { describe, expect, it } from "bun:test";
import { AppError } from "@app/kit";
import { parseQuery, toFtsQuery } from "./query-parser.ts";

const fts = (q: string) => toFtsQuery(parseQuery(q));

function invalid(q: string): string | undefined {
  try {
    parseQuery(q);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).code;
  }
}

describe("parseQuery", () => {
  it("quotes every word, so all must match", () => {
    expect(fts("national debt")).toBe('"national" "debt"');
  });

  it("keeps a quoted phrase whole", () => {
    expect(fts('"New  Deal" security')).toBe('"New Deal" "security"');
  });

  it("turns a trailing * into a prefix, on words and on phrases", () => {
    expect(fts('tax* "social secur"*')).toBe('"tax"* "social secur"*');
  });

  it("reads operators and syntax as plain text", () => {
    expect(fts("war AND peace")).toBe('"war" "AND" "peace"');
    expect(fts("NEAR(a b)")).toBe('"NEAR(a" "b)"');
    expect(fts("freedom-loving")).toBe('"freedom-loving"');
    expect(fts("it's +tax")).toBe(`"it's" "+tax"`);
  });

  it("runs an unclosed quote to the end of the query", () => {
    expect(fts('"war on poverty')).toBe('"war on poverty"');
  });

  it("doubles quotes inside a term", () => {
    expect(toFtsQuery([{ text: 'say "hi"', phrase: true, prefix: false }])).toBe('"say ""hi"""');
  });

  it("treats NUL and other control characters as spaces", () => {
    expect(fts("war\u0000peace\u0007")).toBe('"war" "peace"');
  });

  it("drops terms FTS5 would see no word in", () => {
    expect(fts("? ( tax ) 😀 *")).toBe('"tax"');
  });

  it("refuses a query with nothing searchable (INVALID_QUERY)", () => {
    for (const q of ["?", '"', '""', "*", "(((", "😀🎉", "   ", "\u0000", "- + ' ;"]) {
      expect(invalid(q)).toBe("INVALID_QUERY");
    }
  });

  it("refuses a prefix shorter than 2 letters (INVALID_QUERY)", () => {
    expect(invalid("a*")).toBe("INVALID_QUERY");
    expect(invalid('"social s"*')).toBe("INVALID_QUERY");
    expect(invalid("x-y*")).toBe("INVALID_QUERY");
    expect(invalid("ta*")).toBeUndefined();
    expect(invalid("é*")).toBe("INVALID_QUERY");
  });

  it("refuses more than 64 terms (INVALID_QUERY)", () => {
    expect(invalid(Array.from({ length: 65 }, (_, i) => `w${i}`).join(" "))).toBe("INVALID_QUERY");
    expect(invalid(Array.from({ length: 64 }, (_, i) => `w${i}`).join(" "))).toBeUndefined();
  });
});

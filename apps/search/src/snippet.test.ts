import { describe, expect, it } from "bun:test";
import { MARK_CLOSE, MARK_OPEN, toHtmlSnippet } from "./snippet.ts";

describe("toHtmlSnippet", () => {
  it("escapes the text's markup and turns the marks into <mark>", () => {
    expect(toHtmlSnippet(`a <b> & ${MARK_OPEN}tax${MARK_CLOSE} <mark>x</mark>`)).toBe(
      "a &lt;b&gt; &amp; <mark>tax</mark> &lt;mark&gt;x&lt;/mark&gt;",
    );
  });

  it("escapes text that looks like an entity, as text", () => {
    expect(toHtmlSnippet("&amp;")).toBe("&amp;amp;");
  });
});

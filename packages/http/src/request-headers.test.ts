import { describe, expect, it } from "bun:test";
import { HttpInvalidHeaderError } from "./errors.ts";
import { isToken, RequestHeaders } from "./request-headers.ts";

describe("isToken", () => {
  it("accepts RFC 9110 tokens and refuses anything else", () => {
    for (const ok of ["x-custom", "Content-Type", "a!#$%&'*+-.^_`|~9"])
      expect(isToken(ok)).toBe(true);
    for (const bad of ["", "with space", "colon:", "é", "a\r\nb", "(x)"])
      expect(isToken(bad)).toBe(false);
  });
});

describe("RequestHeaders.from", () => {
  it("takes objects, pairs and Headers, trimming values", () => {
    const fromObject = RequestHeaders.from({ "X-A": " 1 ", b: "2" }, "o");
    expect(fromObject.toPairs()).toEqual([
      ["X-A", "1"],
      ["b", "2"],
    ]);
    expect(fromObject.get("x-a")).toBe("1");
    expect(RequestHeaders.from([["x", "1"]], "o").get("x")).toBe("1");
    expect(RequestHeaders.from(new Headers({ y: "2" }), "o").get("y")).toBe("2");
  });

  it("drops framing headers the transport writes itself", () => {
    const h = RequestHeaders.from(
      { "content-length": "5", "transfer-encoding": "chunked", "x-keep": "1" },
      "o",
    );
    expect(h.toPairs()).toEqual([["x-keep", "1"]]);
  });

  it("flags latin-1 values so the head is encoded byte for byte", () => {
    expect(RequestHeaders.from({ a: "plain" }, "o").highBytes).toBe(false);
    expect(RequestHeaders.from({ a: "caf\u00e9" }, "o").highBytes).toBe(true);
  });

  it("refuses injection, unencodable values and a second Host with HTTP_INVALID_HEADER naming the header", () => {
    const cases: Array<[unknown, string]> = [
      [{ "x-a": "1\r\nx-b: 2" }, "x-a"],
      [{ "x-a": "line\nbreak" }, "x-a"],
      [{ "x-nul": "a\0b" }, "x-nul"],
      [{ "x-emoji": "😀" }, "x-emoji"],
      [{ "bad name": "v" }, "bad name"],
      [
        [
          ["host", "a.example"],
          ["Host", "b.example"],
        ],
        "Host",
      ],
      [[["x", "1", "extra"]], "x,1,extra"],
    ];
    for (const [init, header] of cases) {
      let error: unknown;
      try {
        RequestHeaders.from(init, "http://o");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HttpInvalidHeaderError);
      expect((error as HttpInvalidHeaderError).code).toBe("HTTP_INVALID_HEADER");
      expect((error as HttpInvalidHeaderError).header).toBe(header);
    }
  });
});

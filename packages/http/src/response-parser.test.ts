import { describe, expect, it } from "bun:test";
import { HttpParseError } from "./errors.ts";
import { Framing, findHeadEnd, parseHead } from "./response-parser.ts";

const LIMITS = { maxHeaderBytes: 16_384, maxHeaderCount: 100 };

function parse(text: string, method = "GET") {
  const buf = Buffer.from(text, "latin1");
  const end = findHeadEnd(buf, LIMITS.maxHeaderBytes, "o");
  if (end < 0) throw new Error("incomplete head");
  return parseHead(buf, end, method, LIMITS, "o");
}

function parseError(text: string, limits = LIMITS): HttpParseError {
  try {
    const buf = Buffer.from(text, "latin1");
    const end = findHeadEnd(buf, limits.maxHeaderBytes, "o");
    parseHead(buf, end, "GET", limits, "o");
  } catch (error) {
    return error as HttpParseError;
  }
  throw new Error("parsed without error");
}

describe("findHeadEnd", () => {
  it("returns -1 until the blank line arrives, then the index past it", () => {
    expect(findHeadEnd(Buffer.from("HTTP/1.1 200 OK\r\nx: 1\r\n"), 100, "o")).toBe(-1);
    expect(findHeadEnd(Buffer.from("HTTP/1.1 200 OK\r\n\r\nbody"), 100, "o")).toBe(19);
  });

  it("refuses a head past maxHeaderBytes, complete or not", () => {
    const long = `HTTP/1.1 200 OK\r\nx: ${"a".repeat(200)}`;
    for (const text of [long, `${long}\r\n\r\n`]) {
      const error = (() => {
        try {
          findHeadEnd(Buffer.from(text), 100, "o");
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(HttpParseError);
      expect((error as HttpParseError).code).toBe("HTTP_PARSE_ERROR");
    }
  });
});

describe("findHeadEnd with lone LF line ends (RFC 9112 §2.2)", () => {
  // The four ways a lone LF shows up, each followed by the body "ok".
  const variants: Array<[string, string]> = [
    ["all LF", "HTTP/1.1 200 OK\nContent-Length: 2\n\n"],
    ["CRLF lines, then an LF blank line", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\n"],
    ["LF after the status line", "HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\n"],
    ["LF before the final CRLF", "HTTP/1.1 200 OK\r\nContent-Length: 2\n\r\n"],
  ];

  for (const [what, head] of variants) {
    it(`ends the head after its blank line with ${what}`, () => {
      const buf = Buffer.from(`${head}ok`, "latin1");
      expect(findHeadEnd(buf, 16_384, "o")).toBe(head.length);
      const h = parseHead(buf, head.length, "GET", LIMITS, "o");
      expect([h.status, h.statusText, h.contentLength]).toEqual([200, "OK", 2]);
      expect(h.headers).toEqual([["Content-Length", "2"]]);
    });

    it(`finds the same end with ${what} when the head arrives split at any byte`, () => {
      const whole = Buffer.from(`${head}ok`, "latin1");
      for (let cut = 1; cut < whole.length; cut++) {
        // As the exchange does: search the first part, then the whole, resuming where it stopped.
        const first = whole.subarray(0, cut);
        const early = findHeadEnd(first, 16_384, "o");
        const end = early >= 0 ? early : findHeadEnd(whole, 16_384, "o", first.length);
        expect(end).toBe(head.length);
      }
    });
  }

  it("keeps a line end of CRLF or LF out of the header value", () => {
    const h = parse("HTTP/1.1 200 OK\nx-a: 1\r\nx-b: 2\nx-c: 3 \r\n\n");
    expect(h.headers).toEqual([
      ["x-a", "1"],
      ["x-b", "2"],
      ["x-c", "3"],
    ]);
  });

  it("still refuses a CR that no LF follows, wherever it is", () => {
    for (const text of [
      "HTTP/1.1 200 OK\rContent-Length: 2\r\n\r\n",
      "HTTP/1.1 200 OK\r\nx-a: 1\r\r\n\r\n",
      "HTTP/1.1 200 OK\r\nx-a: a\rb\r\n\r\n",
      "HTTP/1.1 200 OK\r\nx-a: 1\n\rx-b: 2\r\n\r\n",
      "HTTP/1.1 200 OK\r\n\rx: 1\r\n\r\n",
    ]) {
      const error = parseError(text);
      expect(error).toBeInstanceOf(HttpParseError);
      expect(error.code).toBe("HTTP_PARSE_ERROR");
    }
  });

  it("waits for the byte after LF CR before deciding", () => {
    expect(findHeadEnd(Buffer.from("HTTP/1.1 200 OK\r\nx: 1\n\r"), 100, "o")).toBe(-1);
    expect(findHeadEnd(Buffer.from("HTTP/1.1 200 OK\r\nx: 1\n"), 100, "o")).toBe(-1);
  });
});

describe("parseHead", () => {
  it("reads status, reason, version and headers in order", () => {
    const h = parse("HTTP/1.1 201 Created\r\nContent-Length: 3\r\nX-A: 1\r\nx-a: 2\r\n\r\n");
    expect([h.status, h.statusText, h.version]).toEqual([201, "Created", 11]);
    expect(h.headers).toEqual([
      ["Content-Length", "3"],
      ["X-A", "1"],
      ["x-a", "2"],
    ]);
    expect([h.framing, h.contentLength, h.keepAlive]).toEqual([Framing.Length, 3, true]);
  });

  it("accepts a status line without a reason phrase", () => {
    expect(parse("HTTP/1.1 204\r\n\r\n").status).toBe(204);
    expect(parse("HTTP/1.1 200 \r\ncontent-length: 0\r\n\r\n").statusText).toBe("");
  });

  it("decides framing by RFC 9112 §6.3", () => {
    expect(parse("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n", "HEAD").framing).toBe(
      Framing.None,
    );
    expect(parse("HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\n").framing).toBe(
      Framing.None,
    );
    expect(parse("HTTP/1.1 304 Not Modified\r\n\r\n").framing).toBe(Framing.None);
    expect(parse("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n").framing).toBe(
      Framing.Chunked,
    );
    const close = parse("HTTP/1.1 200 OK\r\n\r\n");
    expect([close.framing, close.keepAlive]).toEqual([Framing.Close, false]);
  });

  it("never reuses a connection whose response has both Transfer-Encoding and Content-Length", () => {
    const h = parse("HTTP/1.1 200 OK\r\ncontent-length: 4\r\ntransfer-encoding: chunked\r\n\r\n");
    expect([h.framing, h.keepAlive, h.contentLength]).toEqual([Framing.Chunked, false, -1]);
  });

  it("reads keep-alive rules for HTTP/1.0 and 1.1 and the Keep-Alive timeout", () => {
    expect(parse("HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n").keepAlive).toBe(false);
    expect(
      parse("HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 0\r\n\r\n").keepAlive,
    ).toBe(true);
    expect(
      parse("HTTP/1.1 200 OK\r\nConnection: Close\r\ncontent-length: 0\r\n\r\n").keepAlive,
    ).toBe(false);
    const h = parse(
      "HTTP/1.1 200 OK\r\nkeep-alive: timeout=5, max=100\r\ncontent-length: 0\r\n\r\n",
    );
    expect(h.keepAliveTimeoutMs).toBe(5_000);
  });

  it("tells an absent Keep-Alive timeout from timeout=0, and clamps one no timer can hold", () => {
    const timeout = (value: string | undefined) =>
      parse(
        `HTTP/1.1 200 OK\r\n${value === undefined ? "" : `keep-alive: ${value}\r\n`}content-length: 0\r\n\r\n`,
      ).keepAliveTimeoutMs;
    expect(timeout(undefined)).toBe(-1);
    expect(timeout("max=5")).toBe(-1);
    expect(timeout("timeout=soon")).toBe(-1);
    expect(timeout("timeout=0")).toBe(0);
    expect(timeout(`timeout=${"9".repeat(400)}`)).toBe(2 ** 31 - 1);
  });

  it("recognizes the framing headers in any case", () => {
    const h = parse(
      "HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: Chunked\r\nContent-ENCODING: GZIP\r\nKEEP-ALIVE: Timeout=2\r\nCONNECTION: close\r\n\r\n",
    );
    expect([h.framing, h.contentEncoding, h.keepAliveTimeoutMs, h.keepAlive]).toEqual([
      Framing.Chunked,
      "gzip",
      2_000,
      false,
    ]);
    expect(parse("HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 7\r\n\r\n").contentLength).toBe(7);
    // Same length as a framing header, different name: an ordinary field.
    expect(parse("HTTP/1.1 200 OK\r\ncontent-lengtx: 7\r\n\r\n").framing).toBe(Framing.Close);
  });

  it("accepts repeated identical Content-Length values and refuses different ones", () => {
    expect(parse("HTTP/1.1 200 OK\r\ncontent-length: 3, 3\r\n\r\n").contentLength).toBe(3);
    expect(
      parseError("HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\n").code,
    ).toBe("HTTP_PARSE_ERROR");
  });

  it("refuses malformed heads with HTTP_PARSE_ERROR", () => {
    for (const text of [
      "HTTP/2 200 OK\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 200OK\r\n\r\n",
      "http/1.1 200 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nbad name: 1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno-colon\r\n\r\n",
      "HTTP/1.1 200 OK\r\n folded: 1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nx: a\x01b\r\n\r\n",
      "HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\ncontent-length: 1e3\r\n\r\n",
      "HTTP/1.1 200 OK\r\ncontent-length: 1234567890123456\r\n\r\n",
      "HTTP/1.1 200 OK\r\ncontent-length:\r\n\r\n",
      "HTTP/1.1 200 OK\r\nx\xe9: 1\r\n\r\n",
      "HTTP/1.1 200 OK\r\n: 1\r\n\r\n",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n",
    ]) {
      const error = parseError(text);
      expect(error).toBeInstanceOf(HttpParseError);
      expect(error.code).toBe("HTTP_PARSE_ERROR");
    }
  });

  it("refuses more than maxHeaderCount fields", () => {
    const text = `HTTP/1.1 200 OK\r\n${"x: 1\r\n".repeat(5)}\r\n`;
    expect(parseError(text, { maxHeaderBytes: 1_000, maxHeaderCount: 4 }).code).toBe(
      "HTTP_PARSE_ERROR",
    );
  });
});

import { describe, expect, it } from "bun:test";
import { HttpParseError } from "./errors.ts";
import { ResponseHeads } from "./response-heads.ts";
import { Framing, findHeadEnd } from "./response-parser.ts";

const LIMITS = { maxHeaderBytes: 16_384, maxHeaderCount: 100 };
const OK = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";

function parse(heads: ResponseHeads, text: string, method = "GET") {
  const buf = Buffer.from(text, "latin1");
  return heads.parse(buf, findHeadEnd(buf, LIMITS.maxHeaderBytes, "o"), method);
}

function parseError(heads: ResponseHeads, text: string): unknown {
  try {
    parse(heads, text);
  } catch (error) {
    return error;
  }
  throw new Error("parsed without error");
}

describe("ResponseHeads.parse", () => {
  it("parses a head seen before once, from its bytes in a new buffer", () => {
    const heads = new ResponseHeads(LIMITS, "o");
    const first = parse(heads, OK);
    const again = parse(heads, OK);
    expect(again).toBe(first);
    expect(again.status).toBe(200);
    expect(again.contentLength).toBe(2);
    expect(again.headers).toEqual([
      ["content-type", "application/json"],
      ["content-length", "2"],
    ]);
  });

  it("tells heads apart by every byte", () => {
    const heads = new ResponseHeads(LIMITS, "o");
    parse(heads, OK);
    const other = parse(heads, OK.replace("length: 2", "length: 3"));
    expect(other.contentLength).toBe(3);
    expect(parse(heads, OK.replace("200 OK", "201 OK")).status).toBe(201);
  });

  it("frames the same head as bodiless for a HEAD request, before and after a GET", () => {
    const heads = new ResponseHeads(LIMITS, "o");
    expect(parse(heads, OK, "HEAD").framing).toBe(Framing.None);
    expect(parse(heads, OK, "GET").framing).toBe(Framing.Length);
    expect(parse(heads, OK, "HEAD").framing).toBe(Framing.None);
  });

  it("refuses a bad head with HTTP_PARSE_ERROR every time it comes", () => {
    const heads = new ResponseHeads(LIMITS, "o");
    const bad = "HTTP/1.1 200 OK\r\nbad header\r\n\r\n";
    for (let i = 0; i < 2; i++) {
      const error = parseError(heads, bad);
      expect(error).toBeInstanceOf(HttpParseError);
      expect((error as HttpParseError).code).toBe("HTTP_PARSE_ERROR");
    }
  });

  it("parses long heads and many distinct ones like any other", () => {
    const heads = new ResponseHeads(LIMITS, "o");
    const long = OK.replace("\r\n\r\n", `\r\nx-pad: ${"a".repeat(2_000)}\r\n\r\n`);
    expect(parse(heads, long).headers[2]![1]).toHaveLength(2_000);
    for (let i = 0; i < 200; i++) {
      expect(parse(heads, OK.replace("\r\n\r\n", `\r\nx-id: ${i}\r\n\r\n`)).headers[2]).toEqual([
        "x-id",
        String(i),
      ]);
    }
    expect(parse(heads, OK).contentLength).toBe(2);
  });
});

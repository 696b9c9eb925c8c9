import { describe, expect, it } from "bun:test";
import { HttpParseError } from "./errors.ts";
import { poolResponse } from "./pool-response.ts";
import { findHeadEnd, parseHead, type ResponseHead } from "./response-parser.ts";

const LIMITS = { maxHeaderBytes: 16_384, maxHeaderCount: 100 };

function head(text: string): ResponseHead {
  const buf = Buffer.from(text, "latin1");
  return parseHead(buf, findHeadEnd(buf, LIMITS.maxHeaderBytes, "o"), "GET", LIMITS, "o");
}

describe("poolResponse", () => {
  it("gives every response of one head its own headers", async () => {
    const h = head("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\n");
    const first = poolResponse(new Uint8Array([104, 105]), h, "o");
    first.headers.set("x-changed", "1");
    first.headers.delete("content-type");
    const second = poolResponse(new Uint8Array([104, 105]), h, "o");
    expect([...second.headers]).toEqual([
      ["content-length", "2"],
      ["content-type", "text/plain"],
    ]);
    expect([second.status, second.statusText, await second.text()]).toEqual([200, "OK", "hi"]);
  });

  it("refuses a head Response cannot hold with HTTP_PARSE_ERROR, every time", () => {
    const h = head("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    h.headers.push(["x-bad", "\u0100"]);
    for (let i = 0; i < 2; i++) {
      let error: unknown;
      try {
        poolResponse(null, h, "o");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HttpParseError);
      expect((error as HttpParseError).code).toBe("HTTP_PARSE_ERROR");
    }
  });
});

import { describe, expect, it } from "bun:test";
import { ChunkedDecoder } from "./chunked-decoder.ts";
import { HttpParseError } from "./errors.ts";

function decode(wire: string, step = wire.length): { body: string; end: number; at: number } {
  const decoder = new ChunkedDecoder("o", 1_024);
  const bytes = Buffer.from(wire, "latin1");
  let body = "";
  for (let i = 0; i < bytes.length; i += step) {
    const piece = bytes.subarray(i, i + step);
    const end = decoder.push(piece, 0, (chunk) => {
      body += Buffer.from(chunk).toString("latin1");
    });
    if (end >= 0) return { body, end, at: i };
  }
  return { body, end: -1, at: -1 };
}

describe("ChunkedDecoder", () => {
  const wire = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\ntrailer: x\r\n\r\n";

  it("decodes chunks, skipping extensions and trailers", () => {
    const r = decode(`${wire}NEXT`);
    expect(r.body).toBe("hello, world");
    expect(r.end).toBe(wire.length);
  });

  it("decodes the same bytes fed one at a time", () => {
    const r = decode(wire, 1);
    expect(r.body).toBe("hello, world");
    expect(r.at).toBe(wire.length - 1);
  });

  it("decodes upper- and lower-case hex sizes", () => {
    expect(decode(`A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n`).body).toBe(
      "0123456789".repeat(2),
    );
  });

  it("ends trailer lines and the blank line after them at a lone LF, fed whole or byte by byte", () => {
    for (const tail of ["x-t: 1\n\n", "x-t: 1\r\n\n", "x-t: 1\n\r\n", "\n"]) {
      const lf = `5\r\nhello\r\n0\r\n${tail}`;
      for (const step of [lf.length, 1]) {
        const r = decode(`${lf}NEXT`, step);
        expect([tail, r.body]).toEqual([tail, "hello"]);
        if (step > 1) expect(r.end).toBe(lf.length);
      }
    }
  });

  it("refuses a lone LF on chunk framing lines, and a CR without LF in a trailer", () => {
    for (const bad of [
      "5\nhello\r\n0\r\n\r\n",
      "5\r\nhello\n0\r\n\r\n",
      "5\r\nhello\r\n0\n\r\n",
      "0\r\nx-t: 1\r\r\n\r\n",
      "0\r\nx-t: 1\rx\r\n\r\n",
    ]) {
      let error: unknown;
      try {
        decode(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HttpParseError);
      expect((error as HttpParseError).code).toBe("HTTP_PARSE_ERROR");
    }
  });

  it("reports -1 until the last chunk and blank line arrive", () => {
    expect(decode("5\r\nhello\r\n0\r\n").end).toBe(-1);
  });

  it("throws HTTP_PARSE_ERROR on bad framing", () => {
    for (const bad of [
      "zz\r\n",
      "5\r\nhelloX\r\n",
      "5\nhello\r\n",
      "-1\r\n",
      `${"f".repeat(14)}\r\n`,
      "5 5\r\n",
    ]) {
      let error: unknown;
      try {
        decode(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HttpParseError);
      expect((error as HttpParseError).code).toBe("HTTP_PARSE_ERROR");
    }
  });

  it("throws on a trailer section past its limit", () => {
    let error: unknown;
    try {
      decode(`0\r\nx: ${"a".repeat(2_000)}\r\n\r\n`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpParseError);
  });
});

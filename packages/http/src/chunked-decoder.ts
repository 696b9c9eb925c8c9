import { HttpParseError } from "./errors.ts";

const SIZE = 0;
const DATA = 1;
const DATA_CR = 2;
const DATA_LF = 3;
const TRAILER = 4;
const DONE = 5;

const CR = 0x0d;
const LF = 0x0a;
/** A chunk-size line longer than this is an attack or a bug, not extensions worth reading. */
const MAX_SIZE_LINE = 4096;

/**
 * Incremental decoder of `Transfer-Encoding: chunked` (RFC 9112 §7.1). Bytes may arrive split
 * anywhere; chunk extensions and trailer fields are checked for framing and then ignored, as
 * fetch ignores them. Chunk-size lines and chunk data end in CRLF; trailer lines, like the
 * head's, may end in a lone LF.
 *
 * @example
 * ```ts
 * const decoder = new ChunkedDecoder(origin, 16_384);
 * const end = decoder.push(bytes, 0, (chunk) => out.push(chunk));
 * if (end >= 0) console.log("message ended at", end);
 * ```
 */
export class ChunkedDecoder {
  private state = SIZE;
  private remaining = 0;
  private line = "";
  private trailerBytes = 0;

  constructor(
    private readonly origin: string,
    private readonly maxTrailerBytes: number,
  ) {}

  /** True once the last chunk and the trailer section were read. */
  get done(): boolean {
    return this.state === DONE;
  }

  /**
   * Decodes `buf[start..]`, passing body bytes to `onData` as views into `buf`.
   *
   * @returns the index just past the end of the message, or -1 when more bytes are needed.
   * @throws {HttpParseError} on a malformed chunk size, a missing CRLF or oversized trailers.
   */
  push(buf: Uint8Array, start: number, onData: (chunk: Uint8Array) => void): number {
    let i = start;
    const n = buf.length;
    while (i < n) {
      switch (this.state) {
        case DATA: {
          const take = Math.min(this.remaining, n - i);
          onData(buf.subarray(i, i + take));
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = DATA_CR;
          break;
        }
        case DATA_CR:
          if (buf[i++] !== CR) throw this.error("chunk data not followed by CRLF");
          this.state = DATA_LF;
          break;
        case DATA_LF:
          if (buf[i++] !== LF) throw this.error("chunk data not followed by CRLF");
          this.state = SIZE;
          break;
        case SIZE:
        case TRAILER: {
          const lf = buf.indexOf(LF, i);
          const end = lf < 0 ? n : lf;
          this.line += latin1(buf, i, end);
          if (this.state === SIZE && this.line.length > MAX_SIZE_LINE)
            throw this.error("chunk-size line too long");
          if (this.state === TRAILER) {
            this.trailerBytes += end - i + 1;
            if (this.trailerBytes > this.maxTrailerBytes)
              throw this.error("trailer section too large");
          }
          if (lf < 0) return -1;
          i = lf + 1;
          const line = this.line;
          this.line = "";
          const crlf = line.endsWith("\r");
          const content = crlf ? line.slice(0, -1) : line;
          if (this.state === SIZE) {
            // Framing lines keep their CRLF, as Bun's fetch requires; a lone LF here is how
            // parsers that disagree get smuggled past. Trailer fields are header lines: a lone
            // LF ends them as it ends a line of the head (RFC 9112 §2.2), as fetch allows.
            if (!crlf) throw this.error("chunk-size line not ended by CRLF");
            this.startChunk(content);
          } else if (content === "") {
            this.state = DONE;
            return i;
          } else if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\r\n\0]*$/.test(content)) {
            throw this.error("malformed trailer field");
          }
          break;
        }
        default:
          return i;
      }
    }
    return this.state === DONE ? i : -1;
  }

  private startChunk(line: string): void {
    // chunk-size [ BWS ";" chunk-ext ]: the extension is legal and meaningless to us.
    const m = /^([0-9A-Fa-f]{1,13})[\t ]*(?:;[^\r\n\0]*)?$/.exec(line);
    if (m === null) throw this.error(`bad chunk size ${JSON.stringify(line.slice(0, 32))}`);
    const size = Number.parseInt(m[1]!, 16);
    if (size === 0) {
      this.state = TRAILER;
    } else {
      this.remaining = size;
      this.state = DATA;
    }
  }

  private error(message: string): HttpParseError {
    return new HttpParseError(this.origin, message);
  }
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString("latin1");
}

import { ChunkedDecoder } from "./chunked-decoder.ts";
import { Framing, type ResponseHead } from "./response-parser.ts";

/**
 * Cuts a response body out of the bytes that follow its head, by the framing the head declared:
 * a `Content-Length`, chunked encoding, or everything until the connection closes. It says when
 * the body is complete and how many bytes came after it (which make a socket unsafe to reuse).
 *
 * @example
 * ```ts
 * const framer = new BodyFramer(head, origin, 16_384);
 * const chunks: Uint8Array[] = [];
 * if (framer.take(buf, headEnd, chunks)) console.log("complete", framer.leftover);
 * ```
 */
export class BodyFramer {
  /** Bytes received after the end of the body; only meaningful once complete. */
  leftover = 0;
  private remaining: number;
  private readonly chunked: ChunkedDecoder | undefined;

  constructor(
    private readonly head: ResponseHead,
    origin: string,
    maxTrailerBytes: number,
  ) {
    this.remaining = head.framing === Framing.Length ? head.contentLength : 0;
    this.chunked =
      head.framing === Framing.Chunked ? new ChunkedDecoder(origin, maxTrailerBytes) : undefined;
  }

  /**
   * Appends the body bytes of `buf[offset..]` to `out` (as views into `buf`).
   *
   * @returns true when the body is complete.
   * @throws {HttpParseError} on broken chunk framing.
   */
  take(buf: Uint8Array, offset: number, out: Uint8Array[]): boolean {
    const framing = this.head.framing;
    if (framing === Framing.Length) {
      const take = Math.min(this.remaining, buf.length - offset);
      if (take > 0) out.push(buf.subarray(offset, offset + take));
      this.remaining -= take;
      this.leftover = buf.length - offset - take;
      return this.remaining === 0;
    }
    if (framing === Framing.Chunked) {
      const end = this.chunked!.push(buf, offset, (chunk) => out.push(chunk));
      if (end < 0) return false;
      this.leftover = buf.length - end;
      return true;
    }
    if (framing === Framing.None) {
      this.leftover = buf.length - offset;
      return true;
    }
    if (offset < buf.length) out.push(buf.subarray(offset));
    return false;
  }
}

import type { Transform } from "node:stream";
import {
  brotliDecompressSync,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
  gunzipSync,
  inflateRawSync,
  inflateSync,
} from "node:zlib";
import { BodyStream } from "./body-stream.ts";
import { HttpDecodeError } from "./errors.ts";

/**
 * A content coding this package can undo.
 */
export type Coding = "gzip" | "deflate" | "br";

/**
 * The content codings of a `Content-Encoding` value in the order they must be undone, or
 * `undefined` when one of them is unknown: then the body is passed through as sent, as fetch
 * does.
 *
 * @example
 * ```ts
 * contentCodings("gzip, br"); // ["br", "gzip"]: undo br first
 * ```
 */
export function contentCodings(contentEncoding: string): Coding[] | undefined {
  if (contentEncoding === "" || contentEncoding === "identity") return [];
  const out: Coding[] = [];
  for (const raw of contentEncoding.split(",")) {
    const t = raw.trim();
    if (t === "gzip" || t === "x-gzip") out.push("gzip");
    else if (t === "deflate") out.push("deflate");
    else if (t === "br") out.push("br");
    else if (t !== "identity" && t !== "") return undefined;
  }
  return out.reverse();
}

/**
 * Most bytes a body that arrived whole is decoded to in one go. A few hundred bytes of brotli
 * can expand to gigabytes; past this the body is decoded as it is read ({@link decodingStream}).
 *
 * zlib's default finish flush is kept on purpose: a stream that ends before its trailer (a
 * gzip body cut short) fails with "unexpected end of file" instead of passing its readable
 * prefix off as the whole body. Bun's fetch refuses such a body too.
 */
const WHOLE_DECODE_MAX = 1024 * 1024;
const WHOLE = { maxOutputLength: WHOLE_DECODE_MAX };

/**
 * Decodes a whole body at once: the fast path for a response that arrived in one piece.
 *
 * @returns the decoded bytes, or `undefined` when they would pass 1 MiB (then decode it with
 *   {@link decodingStream}, as it is read).
 * @throws {HttpDecodeError} when the bytes are not valid in that coding, or end before the
 *   coded stream does (a truncated body).
 *
 * @example
 * ```ts
 * const bytes = decodeSync(["gzip"], body, origin) ?? decodingStream(["gzip"], body, origin);
 * ```
 */
export function decodeSync(
  codings: readonly Coding[],
  body: Uint8Array,
  origin: string,
): Uint8Array | undefined {
  let out = body;
  for (const coding of codings) {
    // An empty body has nothing to cut short: fetch hands it out empty, whatever its coding.
    if (out.length === 0) return out;
    try {
      if (coding === "gzip") out = gunzipSync(out, WHOLE);
      else if (coding === "br") out = brotliDecompressSync(out, WHOLE);
      else out = isZlibWrapped(out) ? inflateSync(out, WHOLE) : inflateRawSync(out, WHOLE);
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") return undefined;
      throw new HttpDecodeError(origin, coding, error);
    }
  }
  return out;
}

/**
 * A body that arrived whole, decoded: at once when small, else as it is read. Unknown codings
 * pass it through as sent; a decoding failure becomes a body that errors when read.
 *
 * @example
 * ```ts
 * new Response(decodeWhole(contentCodings(head.contentEncoding), bytes, origin));
 * ```
 */
export function decodeWhole(
  codings: readonly Coding[] | undefined,
  bytes: Uint8Array,
  origin: string,
): Uint8Array | ReadableStream<Uint8Array> {
  if (codings === undefined || codings.length === 0) return bytes;
  try {
    return decodeSync(codings, bytes, origin) ?? decodingStream(codings, bytes, origin);
  } catch (error) {
    return new ReadableStream<Uint8Array>({ start: (controller) => controller.error(error) });
  }
}

/**
 * A body that arrived whole but decodes past 1 MiB, decoded as it is read and never more than
 * a stream's high-water mark ahead of the reader: a decompression bomb costs what is read of it.
 *
 * @example
 * ```ts
 * new Response(decodingStream(["br"], bytes, origin));
 * ```
 */
export function decodingStream(
  codings: readonly Coding[],
  bytes: Uint8Array,
  origin: string,
): ReadableStream<Uint8Array> {
  let decoder: StreamDecoder | undefined;
  const body = new BodyStream({
    resume: () => decoder?.resume(),
    cancel: () => decoder?.destroy(),
  });
  decoder = new StreamDecoder(codings, origin, {
    data: (chunk) => body.push(chunk),
    error: (error) => body.error(error),
    end: () => body.close(),
  });
  decoder.write(bytes);
  decoder.end();
  return body.stream;
}

/**
 * Where a streaming decoder delivers.
 */
export interface DecodeSink {
  /** @returns false when the consumer is full: decoding pauses until {@link StreamDecoder.resume}. */
  data(chunk: Uint8Array): boolean;
  error(error: HttpDecodeError): void;
  end(): void;
}

/**
 * Decodes a body as it streams in, with backpressure: when the sink is full it stops inflating
 * (zlib waits for its reader even in the middle of one input chunk), so a small compressed
 * input cannot expand into memory ahead of the reader. `write` may be called before the first
 * byte is known, so the deflate flavour (zlib-wrapped or raw, both seen in the wild) is picked
 * on the first byte.
 *
 * @example
 * ```ts
 * const decoder = new StreamDecoder(["gzip"], origin, { data, error, end });
 * decoder.write(chunk); decoder.end();
 * ```
 */
export class StreamDecoder {
  /** The decoding streams, undone in this order; built on the first byte. */
  private stages: Transform[] | undefined;
  private failed = false;

  constructor(
    private readonly codings: readonly Coding[],
    private readonly origin: string,
    private readonly sink: DecodeSink,
  ) {}

  write(chunk: Uint8Array): void {
    if (this.failed || chunk.length === 0) return;
    this.stages ??= this.build(chunk);
    this.stages[0]!.write(chunk);
  }

  end(): void {
    if (this.failed) return;
    if (this.stages === undefined) return this.sink.end();
    this.stages[0]!.end();
  }

  /** The sink has room again: go on decoding. */
  resume(): void {
    if (!this.failed) this.stages?.at(-1)?.resume();
  }

  /** Stops decoding: the body was cancelled or failed. */
  destroy(): void {
    this.failed = true;
    for (const stage of this.stages ?? []) stage.destroy();
  }

  private build(firstChunk: Uint8Array): Transform[] {
    const stages = this.codings.map((coding, i) => {
      const stream =
        coding === "gzip"
          ? createGunzip()
          : coding === "br"
            ? createBrotliDecompress()
            : i === 0 && !isZlibWrapped(firstChunk)
              ? createInflateRaw()
              : createInflate();
      stream.on("error", (error) => {
        if (this.failed) return;
        this.destroy();
        this.sink.error(new HttpDecodeError(this.origin, coding, error));
      });
      return stream;
    });
    for (let i = 0; i + 1 < stages.length; i++) stages[i]!.pipe(stages[i + 1]!);
    const last = stages.at(-1)!;
    last.on("data", (chunk: Buffer) => {
      if (this.failed) return;
      if (!this.sink.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)))
        last.pause();
    });
    last.on("end", () => {
      if (!this.failed) this.sink.end();
    });
    return stages;
  }
}

/** RFC 1950: CMF says deflate with a window of at most 32 KiB, and CMF·FLG is a multiple of 31. */
function isZlibWrapped(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return true;
  const cmf = bytes[0]!;
  const flg = bytes[1]!;
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0;
}

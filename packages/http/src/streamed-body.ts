import type { BodyFramer } from "./body-framer.ts";
import { type BodySource, BodyStream } from "./body-stream.ts";
import type { CloseReason } from "./connection.ts";
import { type Coding, StreamDecoder } from "./decompress.ts";

/**
 * What a streamed body needs from the exchange whose socket feeds it.
 */
export interface BodyHost {
  /** True while the raw body is still arriving and the socket is the exchange's. */
  readonly reading: boolean;
  pauseSocket(): void;
  resumeSocket(): void;
  restartBodyTimeout(): void;
  /** The reader cancelled, or decoding failed, while the socket was still the exchange's. */
  failBody(error: unknown, reason: CloseReason): void;
  /** The stream ended: read to its end, errored or cancelled. */
  bodyEnded(): void;
}

/**
 * A response body that did not come whole with its head: cut out of the socket's bytes by its
 * framing, decoded if it has a content coding, and queued for the reader with backpressure
 * (the socket, and the decoder, pause 64 KiB ahead of the reader). Decoding may run on after the
 * raw body is in and the socket is back in the pool; from then on it no longer touches the
 * socket.
 *
 * @example
 * ```ts
 * const body = new StreamedBody(framer, firstChunks, ["gzip"], origin, exchange);
 * resolve(new Response(body.stream));
 * if (body.take(data, 0)) complete(body.leftover);
 * ```
 */
export class StreamedBody implements BodySource {
  readonly stream: ReadableStream<Uint8Array>;
  private readonly body: BodyStream;
  private readonly decoder: StreamDecoder | undefined;
  /** What the reader had taken when progress was last reported. */
  private taken = 0;

  /**
   * @param first body bytes that came with the head.
   * @param codings the content codings to undo, in order; none or `undefined` passes bytes as sent.
   */
  constructor(
    private readonly framer: BodyFramer,
    first: readonly Uint8Array[],
    codings: readonly Coding[] | undefined,
    origin: string,
    private readonly host: BodyHost,
  ) {
    const body = new BodyStream(this);
    this.body = body;
    this.stream = body.stream;
    if (codings !== undefined && codings.length > 0) {
      this.decoder = new StreamDecoder(codings, origin, {
        data: (chunk) => {
          if (body.push(chunk)) return true;
          // Once the raw body is in, the socket is back in the pool, maybe under another
          // request: only the decoder waits for the reader then.
          if (host.reading) host.pauseSocket();
          return false;
        },
        error: (error) => (host.reading ? host.failBody(error, "error") : body.error(error)),
        end: () => body.close(),
      });
    }
    for (const chunk of first) this.write(chunk);
  }

  /**
   * Takes the body bytes of `buf[offset..]`.
   *
   * @returns true when the raw body is complete ({@link leftover} bytes came after it).
   * @throws {HttpParseError} on broken chunk framing.
   */
  take(buf: Uint8Array, offset: number): boolean {
    const chunks: Uint8Array[] = [];
    const done = this.framer.take(buf, offset, chunks);
    for (const chunk of chunks) this.write(chunk);
    return done;
  }

  /** Bytes that came after the end of the body: the socket cannot be reused. */
  get leftover(): number {
    return this.framer.leftover;
  }

  /** The raw body is all in (or the close that delimits it came). */
  end(): void {
    if (this.decoder !== undefined) this.decoder.end();
    else this.body.close();
  }

  /** Fails the body with `error`, dropping what the reader has not taken, and stops decoding. */
  fail(error: unknown): void {
    this.decoder?.destroy();
    this.body.error(error);
  }

  /**
   * True when the body made progress since the last time this said so: a byte arriving while
   * the reader has taken all of the body so far, or the reader taking more. Bytes piling up
   * unread are no progress, so a body nobody reads times out even while the server keeps
   * sending.
   *
   * @param arrived a byte of the body just arrived.
   */
  progressed(arrived: boolean): boolean {
    const taken = this.body.taken;
    if (taken === this.taken && !(arrived && taken === this.body.pushed)) return false;
    this.taken = taken;
    return true;
  }

  /** @internal BodySource: the reader wants more. */
  resume(): void {
    // The decoder may still hold input after the raw body is in and the socket is gone.
    this.decoder?.resume();
    if (!this.host.reading) return;
    if (this.progressed(false)) this.host.restartBodyTimeout();
    this.host.resumeSocket();
  }

  /** @internal BodySource: the reader cancelled. */
  cancel(reason: unknown): void {
    this.decoder?.destroy();
    this.host.failBody(reason, "aborted");
  }

  /** @internal BodySource */
  ended(): void {
    this.host.bodyEnded();
  }

  private write(chunk: Uint8Array): void {
    if (this.decoder !== undefined) this.decoder.write(chunk);
    else if (!this.body.push(chunk)) this.host.pauseSocket();
  }
}

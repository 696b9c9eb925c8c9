/**
 * What a streaming body needs from whatever feeds it.
 */
export interface BodySource {
  /** The reader drained the queue below its high-water mark: start reading the socket again. */
  resume(): void;
  /** The reader cancelled the body: the rest will never be read, so the socket is unusable. */
  cancel(reason: unknown): void;
  /** The stream ended: read to its end, errored or cancelled. */
  ended?(): void;
}

/** Bytes buffered ahead of the reader before the socket is paused. */
const HIGH_WATER_MARK = 64 * 1024;

const OPEN = 0;
/** No more chunks will come; the reader has yet to take what is queued. */
const CLOSING = 1;
const ENDED = 2;

/**
 * A response body delivered chunk by chunk as it arrives, with backpressure: when the reader
 * falls 64 KiB behind, {@link push} returns false and the caller pauses the socket until
 * `resume()`. After {@link close}, the stream ends once the reader has taken what is queued;
 * until then {@link error} can still fail it, as fetch fails a body aborted before it was read.
 *
 * @example
 * ```ts
 * const body = new BodyStream({ resume: () => socket.resume(), cancel: () => socket.end() });
 * if (!body.push(chunk)) socket.pause();
 * body.close();
 * ```
 */
export class BodyStream {
  readonly stream: ReadableStream<Uint8Array>;
  /** Bytes queued so far. */
  pushed = 0;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private state = OPEN;

  constructor(private readonly source: BodySource) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => {
          if (this.state === OPEN) this.source.resume();
          else if (this.state === CLOSING && this.taken === this.pushed) this.end();
        },
        cancel: (reason) => {
          if (this.state === ENDED) return;
          this.state = ENDED;
          this.source.cancel(reason);
          this.source.ended?.();
        },
      },
      { highWaterMark: HIGH_WATER_MARK, size: (chunk) => chunk?.byteLength ?? 0 },
    );
  }

  /** Bytes the reader has taken: what was pushed and is no longer queued. */
  get taken(): number {
    const desired = this.controller.desiredSize;
    return desired === null ? this.pushed : this.pushed - (HIGH_WATER_MARK - desired);
  }

  /** Queues a chunk; false means the reader is behind and the producer should pause. */
  push(chunk: Uint8Array): boolean {
    if (this.state !== OPEN) return true;
    if (chunk.length > 0) {
      // Counted first: enqueue() may call pull(), which reads `taken`.
      this.pushed += chunk.length;
      this.controller.enqueue(chunk);
    }
    return (this.controller.desiredSize ?? 1) > 0;
  }

  /** No more chunks: the stream ends when the reader has taken the queued ones. */
  close(): void {
    if (this.state !== OPEN) return;
    if (this.taken === this.pushed) this.end();
    else this.state = CLOSING;
  }

  /** Fails the stream, dropping what the reader has not taken; nothing once it ended. */
  error(error: unknown): void {
    if (this.state === ENDED) return;
    this.state = ENDED;
    this.controller.error(error);
    this.source.ended?.();
  }

  private end(): void {
    this.state = ENDED;
    this.controller.close();
    this.source.ended?.();
  }
}

/**
 * A body that is already complete (bytes, or a stream decoding them), as a stream that fails
 * with `signal.reason` if the signal aborts before it is read, as fetch's body does. Its listener
 * goes once the body is read, cancelled or aborted.
 *
 * @example
 * ```ts
 * new Response(signal === undefined ? bytes : abortableBody(bytes, signal));
 * ```
 */
export function abortableBody(
  body: Uint8Array | ReadableStream<Uint8Array>,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let onAbort = (): void => {};
  const forget = () => signal.removeEventListener("abort", onAbort);
  const dropSource = (reason: unknown) => {
    if (body instanceof Uint8Array) return;
    (reader ?? body).cancel(reason).catch(() => {});
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        onAbort = () => {
          controller.error(signal.reason);
          dropSource(signal.reason);
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
      },
      async pull(controller) {
        if (body instanceof Uint8Array) {
          forget();
          if (body.length > 0) controller.enqueue(body);
          return controller.close();
        }
        reader ??= body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
        const result = await reader.read().catch((error: unknown) => {
          forget();
          throw error;
        });
        if (signal.aborted) return;
        if (!result.done) return controller.enqueue(result.value);
        forget();
        controller.close();
      },
      cancel(reason) {
        forget();
        dropSource(reason);
      },
    },
    // Nothing is taken from `body` before a read asks for it.
    { highWaterMark: 0 },
  );
}

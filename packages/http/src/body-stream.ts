/**
 * What a streaming body needs from the connection feeding it.
 *
 * @example
 * ```ts
 * new BodyStream({ resume: () => socket.resume(), cancel: () => socket.terminate() });
 * ```
 */
export interface BodySource {
  /** The reader drained the queue below its high-water mark: start reading the socket again. */
  resume(): void;
  /** The reader cancelled the body: the rest will never be read, so the socket is unusable. */
  cancel(reason: unknown): void;
}

/** Bytes buffered ahead of the reader before the socket is paused. */
const HIGH_WATER_MARK = 64 * 1024;

/**
 * A response body delivered chunk by chunk as it arrives, with backpressure: when the reader
 * falls 64 KiB behind, {@link push} returns false and the caller pauses the socket until
 * `resume()`. Once closed or errored, later calls are no-ops.
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
  private finished = false;

  constructor(private readonly source: BodySource) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => {
          if (!this.finished) this.source.resume();
        },
        cancel: (reason) => {
          if (this.finished) return;
          this.finished = true;
          this.source.cancel(reason);
        },
      },
      { highWaterMark: HIGH_WATER_MARK, size: (chunk) => chunk?.byteLength ?? 0 },
    );
  }

  /** True once closed, errored or cancelled. */
  get done(): boolean {
    return this.finished;
  }

  /** Bytes the reader has taken: what was pushed and is no longer queued. */
  get taken(): number {
    const desired = this.controller.desiredSize;
    return desired === null ? this.pushed : this.pushed - (HIGH_WATER_MARK - desired);
  }

  /** Queues a chunk; false means the reader is behind and the producer should pause. */
  push(chunk: Uint8Array): boolean {
    if (this.finished) return true;
    if (chunk.length > 0) {
      // Counted first: enqueue() may call pull(), which reads `taken`.
      this.pushed += chunk.length;
      this.controller.enqueue(chunk);
    }
    return (this.controller.desiredSize ?? 1) > 0;
  }

  close(): void {
    if (this.finished) return;
    this.finished = true;
    this.controller.close();
  }

  error(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.controller.error(error);
  }
}

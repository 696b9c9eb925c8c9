import type { DeadlineEntry, DeadlineList, Lease } from "@pool/core";
import { HttpTimeoutError } from "./errors.ts";

/** Bodies up to this size are looked at when the head arrives: most came with it. */
const WHOLE_BODY_MAX = 64 * 1024;

type ReadMany = Bun.ReadableStreamDefaultReadManyResult<Uint8Array>;

function byteLength(chunks: Uint8Array[] | undefined): number {
  let n = 0;
  for (const chunk of chunks ?? []) n += chunk.byteLength;
  return n;
}

/**
 * What a {@link FetchCall} needs from its origin.
 */
export interface FetchScope {
  origin: string;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Headers timeout list; `undefined` when `headersTimeoutMs` is 0. */
  headers: DeadlineList<FetchCall> | undefined;
  /** Body timeout list; `undefined` when `bodyTimeoutMs` is 0. */
  body: DeadlineList<FetchCall> | undefined;
  /** Calls not finished yet, so close() can abort those its grace period did not see end. */
  running: Set<FetchCall>;
  /** Turns what Bun's fetch rejected a body read with into the error the reader should see. */
  translate(error: unknown, call: FetchCall): unknown;
}

/**
 * One request of the fetch transport, from its slot to the end of its body. It holds the slot
 * until the body was read to the end, cancelled, failed or left unread for `bodyTimeoutMs`,
 * and is its own entry in the timeout lists, so a request allocates no timer.
 *
 * @example
 * ```ts
 * const call = new FetchCall(scope, lease, signal);
 * const res = await session.fetch(url, { signal: call.controller.signal });
 * call.headersArrived();
 * return new Response(call.wrap(res.body!), res);
 * ```
 */
export class FetchCall implements DeadlineEntry {
  deadline = 0;
  prev: DeadlineEntry | undefined = undefined;
  next: DeadlineEntry | undefined = undefined;
  owner: object | undefined = undefined;
  /** Aborts Bun's fetch: on a timeout, on close(), or with the caller's signal. */
  readonly controller = new AbortController();
  /** Bun's body, from the head on. */
  private source: ReadableStream<Uint8Array> | undefined = undefined;
  /** Its reader, from the first read on. */
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined = undefined;
  /** A read made before the stream was handed out, for the first pull to use. */
  private first: ReadMany | Promise<ReadMany> | undefined = undefined;
  private finished = false;
  private cancelled = false;
  /** Set when the body timed out before anyone read it: the read that comes later fails. */
  private failure: Error | undefined = undefined;

  /** @param userSignal the caller's signal, if any: its abort reason is what readers see. */
  constructor(
    private readonly scope: FetchScope,
    private readonly lease: Lease<unknown>,
    readonly userSignal: AbortSignal | undefined,
  ) {
    scope.running.add(this);
    const now = performance.now();
    scope.headers?.add(this, now + scope.headersTimeoutMs, now);
  }

  /** The head arrived: the headers timeout no longer applies. */
  headersArrived(): void {
    this.scope.headers?.remove(this);
  }

  /**
   * The body to hand out: its bytes, when all `length` of them came with the head (the slot is
   * released at once, as the socket transport does for such a body), else {@link wrap}.
   *
   * @param length the Content-Length of a body Bun does not decode, or -1.
   */
  body(
    source: ReadableStream<Uint8Array>,
    length: number,
  ): Uint8Array | ReadableStream<Uint8Array> {
    if (length > 0 && length <= WHOLE_BODY_MAX) {
      const reader = source.getReader() as ReadableStreamDefaultReader<Uint8Array>;
      // Synchronous when Bun already holds bytes of the body, a promise when it holds none; a
      // throw when Bun already knows the body was cut short. That is the body's failure, for
      // its reader to see (translated), not fetch's: the head did arrive.
      let first: ReadMany | Promise<ReadMany>;
      try {
        first = reader.readMany();
      } catch (error) {
        first = Promise.reject(error);
        // Nobody may ever read this body; its failure must not surface as unhandled.
        first.catch(() => {});
      }
      if (!(first instanceof Promise) && !first.done && byteLength(first.value) === length) {
        this.finish();
        return first.value.length === 1 ? first.value[0]! : Buffer.concat(first.value);
      }
      this.reader = reader;
      this.first = first;
    }
    return this.wrap(source);
  }

  /**
   * Bun's body, re-exposed so that its end is seen. A direct stream: `text()` and friends read
   * it in one pull, with no chunk queue of ours in between. Bun's body is only opened when the
   * first read comes: a body nobody has asked for yet stays buffered in Bun's HTTP thread rather
   * than being handed over chunk by chunk.
   */
  wrap(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    this.source = source;
    this.restartBodyTimeout();
    return new ReadableStream({
      type: "direct",
      pull: (out) => this.pump(out),
      cancel: (reason) => {
        this.cancelled = true;
        this.finish();
        return this.reader === undefined ? source.cancel(reason) : this.reader.cancel(reason);
      },
    }) as ReadableStream<Uint8Array>;
  }

  /** Releases the slot and stops the timers; idempotent. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.scope.headers?.remove(this);
    this.scope.body?.remove(this);
    this.scope.running.delete(this);
    if (!this.lease.released) this.lease.release();
  }

  /** A timeout list says time is up. */
  expire(): void {
    const { origin, headersTimeoutMs, bodyTimeoutMs } = this.scope;
    if (this.source === undefined) {
      this.controller.abort(new HttpTimeoutError("HTTP_HEADERS_TIMEOUT", origin, headersTimeoutMs));
      return;
    }
    const error = new HttpTimeoutError("HTTP_BODY_TIMEOUT", origin, bodyTimeoutMs);
    this.failure = error;
    this.controller.abort(error);
    // An unread body is never pulled, so nobody would see the abort: free the slot now.
    (this.reader ?? this.source).cancel(error).catch(() => {});
    this.finish();
  }

  /** The body made progress (or started): it may now idle for `bodyTimeoutMs` again. */
  private restartBodyTimeout(): void {
    const body = this.scope.body;
    if (body === undefined) return;
    const now = performance.now();
    body.add(this, now + this.scope.bodyTimeoutMs, now);
  }

  private async pump(out: ReadableStreamDirectController): Promise<void> {
    if (this.failure !== undefined) return out.close(this.failure);
    this.reader ??= this.source!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    const reader = this.reader;
    try {
      for (;;) {
        if (this.failure !== undefined) break;
        let result = this.first ?? reader.readMany();
        this.first = undefined;
        if (result instanceof Promise) result = await result;
        if (this.cancelled) break;
        // A read begun before the caller aborted may still bring bytes: fetch would not hand
        // them out.
        if (this.userSignal?.aborted) throw this.userSignal.reason;
        const chunks = result.value;
        if (chunks !== undefined && chunks.length > 0) {
          if (!this.finished) this.restartBodyTimeout();
          for (const chunk of chunks) {
            const written = out.write(chunk);
            if (written instanceof Promise) await written;
          }
          out.flush();
        }
        if (result.done) break;
      }
    } catch (error) {
      this.finish();
      // Any reason, not only an Error, reaches the reader as it is (as fetch's own body does).
      if (!this.cancelled) out.close(this.scope.translate(error, this) as Error);
      return;
    }
    this.finish();
    if (this.cancelled) return;
    if (this.failure !== undefined) out.close(this.failure);
    else out.close();
  }
}

import { type Lease, PoolClosedError } from "@pool/core";
import { BodyFramer } from "./body-framer.ts";
import { abortableBody } from "./body-stream.ts";
import type { CloseReason, Connection, ConnectionUser } from "./connection.ts";
import { type Coding, contentCodings, decodeWhole } from "./decompress.ts";
import { HttpParseError, HttpSocketError, HttpTimeoutError } from "./errors.ts";
import type { HeadCache } from "./head-cache.ts";
import type { OriginCounters } from "./origin-stats.ts";
import type { AttemptRequest } from "./origin-transport.ts";
import { poolResponse } from "./pool-response.ts";
import { type WriteEvents, writeRequest } from "./request-writer.ts";
import type { ResponseHeads } from "./response-heads.ts";
import { Framing, findHeadEnd, type HeadLimits, type ResponseHead } from "./response-parser.ts";
import { type BodyHost, StreamedBody } from "./streamed-body.ts";

/**
 * Per-origin settings an exchange needs.
 */
export interface ExchangeConfig {
  origin: string;
  /** Request heads of this origin, with its `host[:port]` for the Host header. */
  heads: HeadCache;
  /** Response heads of this origin, parsed once per distinct head. */
  responseHeads: ResponseHeads;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  limits: HeadLimits;
  counters: OriginCounters;
}

const HEAD = 0;
const BODY = 1;
const DONE = 2;
const EMPTY = new Uint8Array(0);
const NO_CODINGS: readonly Coding[] = [];

/**
 * One request and its response on one leased connection. It owns the lease from `start()` on:
 * a response read to its end with keep-alive gives the socket back to the pool; anything else
 * (an error, a timeout, an abort, a cancelled or half-read body, `Connection: close`) destroys it.
 *
 * @example
 * ```ts
 * new Exchange(lease, request, config, resolve, reject).start();
 * ```
 */
export class Exchange implements ConnectionUser, WriteEvents, BodyHost {
  /** Some request byte reached the socket: a non-idempotent request must not be resent. */
  wroteAny = false;
  /** Some response byte arrived. */
  responseStarted = false;
  private state = HEAD;
  private delivered = false;
  private requestDone = false;
  private headBuf: Buffer | undefined = undefined;
  private head: ResponseHead | undefined = undefined;
  /** The body, when it did not come whole with the head. */
  private body: StreamedBody | undefined = undefined;
  private readonly startedAt = performance.now();
  private readonly connection: Connection;

  /**
   * @param resolve receives the response once its head arrived.
   * @param reject receives the error when the exchange fails before that; later failures error
   *   the body stream instead.
   */
  constructor(
    private readonly lease: Lease<Connection>,
    private readonly request: AttemptRequest,
    private readonly config: ExchangeConfig,
    private readonly resolve: (response: Response) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.connection = lease.resource;
  }

  /** Sends the request; the response (or the error) goes to the callbacks. */
  start(): void {
    const c = this.connection;
    const signal = this.request.signal;
    c.user = this;
    c.requests++;
    c.setBusy(true);
    if (signal !== undefined) {
      if (signal.aborted) return this.fail(signal.reason, "aborted");
      signal.addEventListener("abort", this.onAbort, { once: true });
    }
    c.setDeadline(this.config.headersTimeoutMs, this.startedAt);
    writeRequest(c, this.request, this.config.heads, this);
  }

  // ---- WriteEvents: the exchange is its own listener, to allocate nothing per request ----

  wrote(): void {
    this.wroteAny = true;
  }

  progress(): void {
    if (this.state === HEAD) this.connection.setDeadline(this.config.headersTimeoutMs);
  }

  done(): void {
    this.requestDone = true;
  }

  failed(error: unknown): void {
    this.fail(error, "error");
  }

  closed(): void {
    this.onClose(undefined);
  }

  active(): boolean {
    return this.state !== DONE;
  }

  onData(data: Buffer): void {
    if (this.state === DONE) return;
    if (!this.responseStarted) {
      this.responseStarted = true;
      this.config.counters.ttfb.record(performance.now() - this.startedAt);
    }
    try {
      if (this.state === BODY) {
        const body = this.body!;
        if (body.progressed(true)) this.restartBodyTimeout();
        if (body.take(data, 0)) this.complete(body.leftover);
        return;
      }
      this.readHead(data);
    } catch (error) {
      this.fail(error, "error");
    }
  }

  onClose(error: Error | undefined): void {
    if (this.state === DONE) return;
    const c = this.connection;
    if (c.closeReason === "closed") {
      return this.fail(new PoolClosedError(this.config.origin), "closed");
    }
    if (
      this.state === BODY &&
      this.head?.framing === Framing.Close &&
      error === undefined &&
      !c.closedLocally
    ) {
      // The server's FIN is what ends this body. A reset, or a close of ours, only cuts it short
      // (RFC 9112 §8): that is an error below, never a complete body.
      this.body?.end();
      return this.finish(false, "connectionClose");
    }
    const reason: CloseReason = this.responseStarted ? "error" : "remoteClosed";
    this.fail(new HttpSocketError(this.config.origin, this.responseStarted, error), reason);
  }

  onDeadline(): void {
    if (this.state === DONE) return;
    const { origin, headersTimeoutMs, bodyTimeoutMs } = this.config;
    const error =
      this.state === HEAD
        ? new HttpTimeoutError("HTTP_HEADERS_TIMEOUT", origin, headersTimeoutMs)
        : new HttpTimeoutError("HTTP_BODY_TIMEOUT", origin, bodyTimeoutMs);
    this.fail(error, "timeout");
  }

  /** Bound lazily: most requests carry no signal and need no listener. */
  private onAbortBound: (() => void) | undefined = undefined;

  private get onAbort(): () => void {
    this.onAbortBound ??= () => {
      const reason = this.request.signal?.reason;
      if (this.state !== DONE) return this.fail(reason, "aborted");
      // The raw body is in and the socket gone, but the reader has not taken it all: fetch
      // fails such a body with the reason too.
      this.body?.fail(reason);
    };
    return this.onAbortBound;
  }

  private forgetSignal(): void {
    if (this.onAbortBound !== undefined)
      this.request.signal?.removeEventListener("abort", this.onAbortBound);
  }

  private readHead(data: Buffer): void {
    const { origin, limits } = this.config;
    // What came before was already searched for the end of the head.
    let from = this.headBuf === undefined ? 0 : this.headBuf.length;
    let buf = this.headBuf === undefined ? data : Buffer.concat([this.headBuf, data]);
    for (;;) {
      const end = findHeadEnd(buf, limits.maxHeaderBytes, origin, from);
      if (end < 0) {
        this.headBuf = buf;
        return;
      }
      const head = this.config.responseHeads.parse(buf, end, this.request.method);
      if (head.status >= 200) {
        this.headBuf = undefined;
        return this.startBody(head, buf, end);
      }
      if (head.status === 101)
        throw new HttpParseError(origin, "unexpected 101 Switching Protocols");
      // An interim response (100 Continue, 103 Early Hints): skip it, the final one follows.
      buf = buf.subarray(end);
      from = 0;
      if (buf.length === 0) {
        this.headBuf = undefined;
        return;
      }
    }
  }

  private startBody(head: ResponseHead, buf: Buffer, offset: number): void {
    const { origin } = this.config;
    if (head.status > 599) throw new HttpParseError(origin, `status ${head.status} out of range`);
    this.head = head;
    if (head.framing === Framing.None) {
      this.deliver(poolResponse(null, head, origin));
      return this.complete(buf.length - offset);
    }
    const codings = head.contentEncoding === "" ? NO_CODINGS : contentCodings(head.contentEncoding);
    this.state = BODY;
    const length = head.contentLength;
    if (head.framing === Framing.Length && buf.length - offset >= length) {
      // The usual small response: the whole body came with the head, no framer or stream needed.
      const bytes = length === 0 ? EMPTY : buf.subarray(offset, offset + length);
      this.deliver(poolResponse(this.wholeBody(bytes, codings), head, origin));
      return this.complete(buf.length - offset - length);
    }
    const framer = new BodyFramer(head, origin, this.config.limits.maxHeaderBytes);
    const chunks: Uint8Array[] = [];
    if (framer.take(buf, offset, chunks)) {
      this.deliver(poolResponse(this.wholeBody(concat(chunks), codings), head, origin));
      return this.complete(framer.leftover);
    }
    this.body = new StreamedBody(framer, chunks, codings, origin, this);
    this.restartBodyTimeout();
    this.deliver(poolResponse(this.body.stream, head, origin));
  }

  /**
   * A body that arrived whole, decoded. Without a signal, plain bytes: the common case, and the
   * cheapest for `text()` and `json()`. With one, a stream that fails if the signal aborts before
   * it is read, as fetch's body does.
   */
  private wholeBody(
    bytes: Uint8Array,
    codings: readonly Coding[] | undefined,
  ): Uint8Array | ReadableStream<Uint8Array> {
    const body = decodeWhole(codings, bytes, this.config.origin);
    const signal = this.request.signal;
    return signal === undefined ? body : abortableBody(body, signal);
  }

  private deliver(response: Response): void {
    this.delivered = true;
    this.resolve(response);
  }

  // ---- BodyHost: what a streamed body asks of the socket, while it is the exchange's ----

  get reading(): boolean {
    return this.state === BODY;
  }

  pauseSocket(): void {
    this.connection.pause();
  }

  resumeSocket(): void {
    this.connection.resume();
  }

  restartBodyTimeout(): void {
    this.connection.setDeadline(this.config.bodyTimeoutMs);
  }

  failBody(error: unknown, reason: CloseReason): void {
    this.fail(error, reason);
  }

  bodyEnded(): void {
    this.forgetSignal();
  }

  /** The response was read to its end, and `leftover` bytes came after it. */
  private complete(leftover: number): void {
    this.body?.end();
    const head = this.head!;
    const connection = this.request.headers.get("connection");
    const requestClose = connection !== undefined && /(?:^|,)\s*close\s*(?:,|$)/i.test(connection);
    const reusable = head.keepAlive && this.requestDone && leftover === 0 && !requestClose;
    this.finish(reusable, head.keepAlive && !requestClose ? "error" : "connectionClose");
  }

  private finish(reusable: boolean, reason: CloseReason): void {
    this.state = DONE;
    this.config.counters.inFlight--;
    const c = this.connection;
    c.user = undefined;
    c.setDeadline(0);
    // A streamed body still listens until its reader is done with it (`ended`).
    if (this.body === undefined) this.forgetSignal();
    if (this.lease.released) return;
    if (reusable && !c.closed) {
      const idleMs = this.idleTimeoutMs();
      if (idleMs >= 0) {
        // The pool keeps the value with the socket, so it is only passed on when it changes.
        if (idleMs !== c.idleTimeoutMs) {
          this.lease.setIdleTimeoutMs(idleMs);
          c.idleTimeoutMs = idleMs;
        }
        c.setBusy(false);
        return this.lease.release();
      }
      reason = "keepAliveTimeout";
    }
    c.closeReason ??= reason;
    this.lease.destroy();
  }

  /**
   * How long the socket may idle in the pool (`0`: no limit): ours, lowered by the server's
   * `Keep-Alive: timeout=`; -1 when the server keeps no idle connection at all, so reusing it
   * would race the server's close.
   */
  private idleTimeoutMs(): number {
    const ours = this.config.keepAliveTimeoutMs;
    const hinted = this.head!.keepAliveTimeoutMs;
    if (hinted < 0) return ours;
    // The server's clock started when it sent the response; leave room for the trip back.
    const safe = hinted - Math.min(1_000, hinted / 2);
    if (safe < 1) return -1;
    return ours === 0 ? safe : Math.min(ours, safe);
  }

  private fail(error: unknown, reason: CloseReason): void {
    if (this.state === DONE) return;
    this.state = DONE;
    this.config.counters.inFlight--;
    const c = this.connection;
    c.user = undefined;
    c.setDeadline(0);
    this.forgetSignal();
    c.closeReason ??= reason;
    // Socket first, then the error: the caller may resend at once and must not get this socket.
    if (!this.lease.released) this.lease.destroy();
    // A body not handed out yet (Response refused the head) is failed too: its decoder stops.
    this.body?.fail(error);
    if (!this.delivered) this.reject(error);
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 0) return EMPTY;
  if (chunks.length === 1) return chunks[0]!;
  return Buffer.concat(chunks);
}

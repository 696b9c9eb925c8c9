import { type Lease, Pool, PoolClosedError, PoolError } from "@pool/core";
import {
  HttpConnectError,
  HttpDecodeError,
  HttpError,
  HttpParseError,
  HttpSocketError,
  HttpTimeoutError,
} from "./errors.ts";
import type { ResolvedOptions } from "./options.ts";
import { OriginCounters, type OriginStats } from "./origin-stats.ts";
import { PoolResponse } from "./pool-response.ts";
import { type AttemptRequest, acquireFrom, type OriginTransport } from "./transport.ts";

/** A permission to have one request in flight to an origin; the pool caps how many exist. */
class Slot {}

/** Bun rounds a session's idle timeout up to a 4 s timer; a value in whole seconds is all it takes. */
function idleTimeoutSeconds(ms: number): number {
  return ms === 0 ? 14_280 : Math.max(1, Math.ceil(ms / 1000));
}

/**
 * One `Bun.FetchSession` for a whole pool. The pool holds the reference: a session nothing
 * references closes its sockets when collected.
 *
 * @example
 * ```ts
 * const session = createSession(resolveOptions({ origin, transport: "fetch" }));
 * ```
 */
export function createSession(o: ResolvedOptions): Bun.FetchSession {
  const tls = o.tls;
  return new Bun.FetchSession({
    keepAlive: {
      idleTimeout: idleTimeoutSeconds(o.keepAliveTimeoutMs),
      maxIdleSockets: o.connections * o.origins.length,
    },
    ...(Object.keys(tls).length === 0
      ? {}
      : {
          tls: {
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            ...(tls.rejectUnauthorized === undefined
              ? {}
              : { rejectUnauthorized: tls.rejectUnauthorized }),
            ...(tls.serverName === undefined ? {} : { serverName: tls.serverName }),
          },
        }),
  });
}

/**
 * The fetch transport for one origin: Bun's native fetch through the pool's session, with at
 * most `connections` requests in flight. A request holds its slot until its body is read to the
 * end, cancelled, or timed out, so an unread body cannot hold a slot past `bodyTimeoutMs`.
 *
 * @example
 * ```ts
 * const origin = new FetchOrigin(new URL("http://127.0.0.1:8080"), options, session);
 * const res = await origin.send({ method: "GET", target: "/", headers, body: null, signal: undefined });
 * ```
 */
export class FetchOrigin implements OriginTransport {
  readonly origin: string;
  private readonly pool: Pool<Slot>;
  private readonly counters = new OriginCounters();
  private borrowed = 0;
  private queued = 0;
  /** Requests not finished yet, so close() can abort the ones its grace period did not see end. */
  private readonly running = new Set<AbortController>();

  constructor(
    url: URL,
    private readonly o: ResolvedOptions,
    private readonly session: Bun.FetchSession,
  ) {
    this.origin = url.origin;
    this.pool = new Pool<Slot>({
      name: this.origin,
      create: () => new Slot(),
      max: o.connections,
      acquireTimeoutMs: o.acquireTimeoutMs,
      maxWaiting: o.maxWaiting,
      idleTimeoutMs: 0,
      closeTimeoutMs: o.closeTimeoutMs,
    });
    this.pool.on("acquire", () => {
      this.borrowed++;
    });
    this.pool.on("release", () => {
      this.borrowed--;
    });
  }

  load(): number {
    return this.borrowed + this.queued;
  }

  send(
    request: AttemptRequest,
    then?: (response: Response) => Response | Promise<Response>,
  ): Promise<Response> {
    return then === undefined ? this.sendAsync(request) : this.sendAsync(request).then(then);
  }

  private async sendAsync(request: AttemptRequest): Promise<Response> {
    const userSignal = request.signal;
    if (userSignal?.aborted) throw userSignal.reason;
    this.queued++;
    let lease: Lease<Slot>;
    try {
      lease = this.pool.tryAcquire() ?? (await acquireFrom(this.pool, this.origin, userSignal));
    } finally {
      this.queued--;
    }
    // A forced close() between the hand-off and here took the slot back.
    if (lease.released) throw new PoolClosedError(this.origin);
    this.counters.requests++;
    const controller = new AbortController();
    this.running.add(controller);
    const signal =
      userSignal === undefined
        ? controller.signal
        : AbortSignal.any([userSignal, controller.signal]);
    const { headersTimeoutMs, bodyTimeoutMs } = this.o;
    let timer =
      headersTimeoutMs > 0
        ? setTimeout(
            () =>
              controller.abort(
                new HttpTimeoutError("HTTP_HEADERS_TIMEOUT", this.origin, headersTimeoutMs),
              ),
            headersTimeoutMs,
          )
        : undefined;
    const startedAt = performance.now();
    let response: Response;
    try {
      response = await this.session.fetch(this.origin + request.target, {
        method: request.method,
        headers: request.headers.toPairs(),
        body: request.body,
        redirect: "manual",
        signal,
        decompress: true,
      } as RequestInit);
    } catch (error) {
      clearTimeout(timer);
      this.running.delete(controller);
      if (!lease.released) lease.release();
      this.counters.failed++;
      throw this.translate(error, userSignal, controller.signal, false);
    }
    clearTimeout(timer);
    this.counters.ttfb.record(performance.now() - startedAt);
    const source = response.body;
    // An empty body needs no slot: release it now rather than when someone reads nothing.
    if (source === null || response.headers.get("content-length") === "0") {
      this.running.delete(controller);
      if (!lease.released) lease.release();
      return response;
    }

    const reader = source.getReader();
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.running.delete(controller);
      if (!lease.released) lease.release();
    };
    const arm = () => {
      if (bodyTimeoutMs === 0) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        controller.abort(new HttpTimeoutError("HTTP_BODY_TIMEOUT", this.origin, bodyTimeoutMs));
        // An unread body is never pulled, so nobody would see the abort: free the slot now.
        reader.cancel().catch(() => {});
        finish();
      }, bodyTimeoutMs);
    };
    arm();
    const body = new ReadableStream<Uint8Array>(
      {
        pull: async (out) => {
          try {
            const { done, value } = await reader.read();
            if (done) {
              finish();
              out.close();
              return;
            }
            arm();
            out.enqueue(value);
          } catch (error) {
            finish();
            out.error(this.translate(error, userSignal, controller.signal, true));
          }
        },
        cancel: (reason) => {
          finish();
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return new PoolResponse(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }

  stats(): Omit<OriginStats, "healthy"> {
    const p = this.pool.stats();
    const c = this.counters;
    return {
      origin: this.origin,
      connections: undefined,
      requests: {
        total: c.requests,
        inFlight: p.borrowed,
        queued: p.pending,
        failed: c.failed,
        retries: c.retries,
        redirects: c.redirects,
      },
      wait: p.wait,
      ttfb: c.ttfb.snapshot(),
    };
  }

  countRedirect(): void {
    this.counters.redirects++;
  }

  countRetry(): void {
    this.counters.retries++;
  }

  async close(timeoutMs: number): Promise<void> {
    await this.pool.close({ timeoutMs });
    // The grace period is over: what still runs is aborted, as the socket transport's are.
    for (const controller of this.running) controller.abort(new PoolClosedError(this.origin));
    this.running.clear();
  }

  /** Bun's fetch rejects with a `TypeError` carrying a `code`; map it onto our codes. */
  private translate(
    error: unknown,
    userSignal: AbortSignal | undefined,
    ours: AbortSignal,
    responseStarted: boolean,
  ): unknown {
    if (userSignal?.aborted) return userSignal.reason;
    if (ours.aborted && ours.reason instanceof PoolError) return ours.reason;
    if (error instanceof HttpError) return error;
    const code = String((error as { code?: unknown })?.code ?? "");
    if (
      /REFUSED|FailedToOpenSocket|NOTFOUND|UNREACH|CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|DEPTH_ZERO|HOSTNAME/i.test(
        code,
      )
    ) {
      return new HttpConnectError(this.origin, error);
    }
    if (/Malformed|Invalid.*(Header|Response|Status)/i.test(code)) {
      return new HttpParseError(this.origin, String((error as Error).message ?? code));
    }
    if (/zlib|brotli|decompress|zstd/i.test(code))
      return new HttpDecodeError(this.origin, "content", error);
    return new HttpSocketError(this.origin, responseStarted, error);
  }
}

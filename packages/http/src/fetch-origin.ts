import { DeadlineList, type Lease, Pool, PoolClosedError, PoolError } from "@pool/core";
import { abortableBody } from "./body-stream.ts";
import {
  HttpConnectError,
  HttpDecodeError,
  HttpError,
  HttpParseError,
  HttpSocketError,
} from "./errors.ts";
import { FetchCall, type FetchScope } from "./fetch-call.ts";
import type { ResolvedOptions } from "./options.ts";
import { OriginCounters, type OriginStats, originStats } from "./origin-stats.ts";
import { type AttemptRequest, acquireFrom, type OriginTransport } from "./origin-transport.ts";
import { PoolResponse } from "./pool-response.ts";

const expire = (call: FetchCall): void => call.expire();

/** A permission to have one request in flight to an origin; the pool caps how many exist. */
class Slot {}

/** The Content-Length of a response, or -1 when it has none (or a bad one). */
function contentLength(headers: Headers): number {
  const value = headers.get("content-length");
  if (value === null || !/^\d{1,15}$/.test(value)) return -1;
  return Number(value);
}

/** `RequestInit` with the options Bun's fetch adds. */
type BunFetchInit = RequestInit & { decompress: boolean };

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
  readonly counters = new OriginCounters();
  private readonly scope: FetchScope;
  /** Requests waiting for a slot, counted here to save a stats() call. */
  private pending = 0;

  constructor(
    url: URL,
    o: ResolvedOptions,
    private readonly session: Bun.FetchSession,
  ) {
    this.origin = url.origin;
    this.scope = {
      origin: this.origin,
      headersTimeoutMs: o.headersTimeoutMs,
      bodyTimeoutMs: o.bodyTimeoutMs,
      headers: o.headersTimeoutMs > 0 ? new DeadlineList(expire) : undefined,
      body: o.bodyTimeoutMs > 0 ? new DeadlineList(expire) : undefined,
      running: new Set(),
      translate: (error, call) =>
        this.translate(error, call.userSignal, call.controller.signal, true),
    };
    this.pool = new Pool<Slot>({
      name: this.origin,
      create: () => new Slot(),
      max: o.connections,
      acquireTimeoutMs: o.acquireTimeoutMs,
      maxWaiting: o.maxWaiting,
      idleTimeoutMs: 0,
      closeTimeoutMs: o.closeTimeoutMs,
    });
  }

  load(): number {
    return this.scope.running.size + this.pending;
  }

  send(request: AttemptRequest): Promise<Response> {
    const signal = request.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const lease = this.pool.tryAcquire();
    // An idle slot (the usual case) goes straight to fetch: no promise of ours before it.
    if (lease !== undefined) return this.fetchWith(lease, request);
    this.pending++;
    return acquireFrom(this.pool, this.origin, signal).then(
      (acquired) => {
        this.pending--;
        return this.fetchWith(acquired, request);
      },
      (error: unknown) => {
        this.pending--;
        throw error;
      },
    );
  }

  private async fetchWith(lease: Lease<Slot>, request: AttemptRequest): Promise<Response> {
    // A forced close() between the hand-off and here took the slot back.
    if (lease.released) throw new PoolClosedError(this.origin);
    this.counters.requests++;
    const userSignal = request.signal;
    const call = new FetchCall(this.scope, lease, userSignal);
    const ours = call.controller.signal;
    const startedAt = performance.now();
    let response: Response;
    try {
      // One object shape for every request: Bun reads its options faster than a spread's.
      const init: BunFetchInit = {
        method: request.method,
        headers: request.headers.names.length === 0 ? undefined : request.headers.toPairs(),
        body: request.body,
        redirect: "manual",
        signal: userSignal === undefined ? ours : AbortSignal.any([userSignal, ours]),
        decompress: true,
      };
      response = await this.session.fetch(this.origin + request.target, init);
    } catch (error) {
      call.finish();
      this.counters.failed++;
      throw this.translate(error, userSignal, ours, false);
    }
    call.headersArrived();
    this.counters.ttfb.record(performance.now() - startedAt);
    const source = response.body;
    const headers = response.headers;
    const length = contentLength(headers);
    let out: Response;
    if (source === null || length === 0) {
      // An empty body needs no slot: release it now rather than when someone reads nothing.
      call.finish();
      out = response;
    } else {
      // Bun decodes a Content-Encoding, so the length it sent says nothing of what is read.
      const known = headers.has("content-encoding") ? -1 : length;
      const body = call.body(source, known);
      // Bytes are out of Bun's hands: the caller's abort must still fail them unread, as fetch's.
      const abortable =
        userSignal === undefined || !(body instanceof Uint8Array)
          ? body
          : abortableBody(body, userSignal);
      out = new PoolResponse(abortable, {
        status: response.status,
        statusText: response.statusText,
        headers,
      });
    }
    return out;
  }

  stats(): Omit<OriginStats, "healthy"> {
    return originStats(this.origin, this.pool.stats(), this.counters, undefined);
  }

  /** Bun's session opens its sockets on first use; there is nothing of ours to open. */
  preconnect(): void {}

  async close(timeoutMs: number): Promise<void> {
    await this.pool.close({ timeoutMs });
    // The grace period is over: what still runs is aborted, as the socket transport's are.
    const error = new PoolClosedError(this.origin);
    for (const call of [...this.scope.running]) {
      call.controller.abort(error);
      call.finish();
    }
    this.scope.headers?.clear();
    this.scope.body?.clear();
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

import { PoolClosedError, within } from "@pool/core";
import { Balancer, type Upstream } from "./balancer.ts";
import { HttpOriginMismatchError, HttpRedirectError } from "./errors.ts";
import { createSession, FetchOrigin } from "./fetch-origin.ts";
import { HealthProber } from "./health-prober.ts";
import type { HttpPoolOptions, ResolvedOptions } from "./options.ts";
import { closeOptions, resolveOptions } from "./options.ts";
import type { HttpPoolStats, OriginStats } from "./origin-stats.ts";
import { setLocation } from "./pool-response.ts";
import { type Hop, isRedirect, nextHop } from "./redirect.ts";
import { type HttpRequestInit, type PreparedRequest, prepareRequest } from "./request.ts";
import { isConnectFailure, mayRetryError, mayRetryStatus, retryDelay, sleep } from "./retry.ts";
import { SocketOrigin } from "./socket-origin.ts";

/**
 * The `fetch` an {@link HttpPool} hands out: WHATWG `fetch`'s signature, bound to the pool.
 *
 * @example
 * ```ts
 * const f: HttpFetch = http.fetch;
 * const res = await f("/api/tags");
 * ```
 */
export type HttpFetch = (
  input: string | URL | Request,
  init?: HttpRequestInit,
) => Promise<Response>;

/**
 * The pool's own `fetch` ({@link HttpPool.fetch}): an {@link HttpFetch} with Bun's
 * `fetch.preconnect`, so it is a `typeof fetch` wherever a library asks for one.
 *
 * @example
 * ```ts
 * const ollama = new Ollama({ host: origin, fetch: http.fetch }); // no cast needed
 * http.fetch.preconnect(origin); // one socket opened ahead of the first request
 * ```
 */
export type HttpPoolFetch = HttpFetch & {
  /**
   * Opens a connection to `url`'s origin ahead of a first request, when the origin is one of
   * the pool's and it has none open; a hint, as Bun's `fetch.preconnect` is (failures are
   * ignored, the next request reports its own). The fetch transport leaves it to the first
   * request: its sockets are Bun's session's.
   */
  preconnect(
    url: string | URL,
    options?: { dns?: boolean; tcp?: boolean; http?: boolean; https?: boolean },
  ): void;
};

/**
 * Options of {@link HttpPool.close}.
 *
 * @example
 * ```ts
 * await http.close({ timeoutMs: 5_000 });
 * ```
 */
export interface HttpCloseOptions {
  /** How long requests in flight may finish before they are aborted; `0` aborts at once. @default closeTimeoutMs */
  timeoutMs?: number;
}

/**
 * An HTTP/1.1 client pool for one upstream (or several, balanced), with a `fetch` that can be
 * handed to any library taking one. Requests queue for at most `connections` sockets per origin.
 *
 * @example
 * ```ts
 * const http = new HttpPool({ origin: "http://127.0.0.1:11434", connections: 8 });
 * const tags = await (await http.fetch("/api/tags")).json();
 * const ollama = new Ollama({ host: "http://127.0.0.1:11434", fetch: http.fetch });
 * await http.close();
 * ```
 */
export class HttpPool implements AsyncDisposable {
  /** `fetch`, bound: usable detached (`const f = http.fetch`). Paths are relative to the origin. */
  readonly fetch: HttpPoolFetch;
  private readonly o: ResolvedOptions;
  private readonly balancer: Balancer;
  private readonly prober: HealthProber | undefined;
  private readonly session: Bun.FetchSession | undefined;
  private readonly defaultOrigin: string;
  /** Several upstreams given as `origins`: health is tracked and paths are balanced. */
  private readonly balanced: boolean;
  private closing: Promise<void> | undefined = undefined;
  /** Requests taken by `fetch` that have not reached their final response head yet. */
  private active = 0;
  /** Resolves `close()`'s wait once `active` drops to 0. */
  private quiet: (() => void) | undefined = undefined;
  /** Aborted by close(): a retry waiting out its backoff stops waiting. */
  private readonly closeController = new AbortController();

  /**
   * @param options see {@link HttpPoolOptions}; `origin` or `origins` is required.
   * @throws {PoolInvalidOptionError} on an unknown option, a bad value, or a socket-only option
   *   given to the fetch transport (`POOL_INVALID_OPTION`, `option` names the field).
   */
  constructor(options: HttpPoolOptions) {
    const o = resolveOptions(options);
    this.o = o;
    this.defaultOrigin = o.origins[0]!.origin;
    const session = o.transport === "fetch" ? createSession(o) : undefined;
    this.session = session;
    const upstreams: Upstream[] = o.origins.map((url) => ({
      transport:
        session === undefined ? new SocketOrigin(url, o) : new FetchOrigin(url, o, session),
      healthy: true,
      failures: 0,
      lastPick: 0,
    }));
    const balanced = o.balanced;
    this.balanced = balanced;
    const prober = balanced ? new HealthProber(o.healthCheck) : undefined;
    this.prober = prober;
    this.balancer = new Balancer(
      upstreams,
      o.healthCheck.unhealthyAfter,
      (u) => prober?.watch(u),
      balanced,
    );
    this.fetch = Object.assign(
      (input: string | URL | Request, init?: HttpRequestInit) => this.request(input, init),
      { preconnect: (url: string | URL) => this.preconnect(url) },
    );
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * A plain snapshot per origin: connections (socket transport), requests, queue wait and
   * time to first byte.
   *
   * @example
   * ```ts
   * const { connections, requests } = http.stats().origins["http://127.0.0.1:11434"]!;
   * ```
   */
  stats(): HttpPoolStats {
    const origins: Record<string, OriginStats> = {};
    for (const u of this.balancer.upstreams) {
      origins[u.transport.origin] = { ...u.transport.stats(), healthy: u.healthy };
    }
    return { transport: this.o.transport, origins };
  }

  /**
   * Stops taking requests, lets those in flight finish (up to `timeoutMs`, then aborts them)
   * and closes every socket and timer. Requests taken before `close()` are in flight even
   * while they wait for a socket or follow a redirect; a retry waiting out its backoff fails at
   * once with `POOL_CLOSED`. Idempotent: every call returns the same promise.
   *
   * @throws {PoolInvalidOptionError} (as a rejection) on an unknown key or a bad `timeoutMs`;
   *   the pool is then left open, so a corrected call can still close it.
   *
   * @example
   * ```ts
   * await http.close({ timeoutMs: 5_000 });
   * ```
   */
  close(options?: HttpCloseOptions): Promise<void> {
    if (this.closing === undefined) {
      const parsed = closeOptions(options, this.o.closeTimeoutMs);
      if (parsed instanceof Error) return Promise.reject(parsed);
      this.prober?.stop();
      this.closeController.abort(new PoolClosedError(this.defaultOrigin));
      this.closing = this.shutdown(parsed.timeoutMs);
    }
    return this.closing;
  }

  /**
   * Lets the requests admitted before `close()` reach their final response head first (a
   * request still queued for a socket, or between the hops of a redirect, is not a new one),
   * then closes the transports, which wait for the bodies in the time that is left.
   */
  private async shutdown(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    if (this.active > 0 && timeoutMs > 0) {
      await within(new Promise<void>((resolve) => (this.quiet = resolve)), timeoutMs);
      this.quiet = undefined;
    }
    const left = Math.max(0, deadline - performance.now());
    await Promise.all(this.balancer.upstreams.map((u) => u.transport.close(left)));
    this.session?.close();
  }

  /** `fetch.preconnect`: one connection opened ahead to one of the pool's origins. */
  private preconnect(url: string | URL): void {
    if (this.closing !== undefined) return;
    let origin: string;
    try {
      origin = new URL(url, this.defaultOrigin).origin;
    } catch {
      return;
    }
    this.balancer.get(origin)?.transport.preconnect();
  }

  /** `await using http = new HttpPool(...)` closes it at scope exit. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private request(
    input: string | URL | Request,
    init: HttpRequestInit | undefined,
  ): Promise<Response> {
    if (this.closing !== undefined) return Promise.reject(new PoolClosedError(this.defaultOrigin));
    let prepared: PreparedRequest | Promise<PreparedRequest>;
    try {
      prepared = prepareRequest(input, init, this.defaultOrigin, this.knownOrigin);
    } catch (error) {
      return Promise.reject(error);
    }
    this.active++;
    // Each path settles `active` itself, in the reaction that produces the caller's result: a
    // separate reaction per request would cost a promise and a microtask more.
    if (!(prepared instanceof Promise)) return this.dispatch(prepared);
    return prepared.then(
      (req) => this.dispatch(req),
      (error: unknown) => {
        this.settle();
        throw error;
      },
    );
  }

  /** A request admitted before `close()` got its final head, or failed. */
  private readonly settle = (): void => {
    if (--this.active === 0) this.quiet?.();
  };

  /** Settles once `result`, the caller's final response, is there. */
  private settleWith(result: Response | Promise<Response>): Response | Promise<Response> {
    if (result instanceof Promise) result.then(this.settle, this.settle);
    else this.settle();
    return result;
  }

  private readonly settleWithError = (error: unknown): never => {
    this.settle();
    throw error;
  };

  /** The pool origin `href` starts with, if any. */
  private readonly knownOrigin = (href: string): string | undefined => {
    for (const u of this.balancer.upstreams) {
      const origin = u.transport.origin;
      if (!href.startsWith(origin)) continue;
      const next = href.charCodeAt(origin.length);
      if (Number.isNaN(next) || next === 0x2f || next === 0x3f) return origin;
    }
    return undefined;
  };

  private dispatch(req: PreparedRequest): Promise<Response> {
    let fixed: Upstream | undefined;
    if (req.origin !== undefined) {
      fixed = this.balancer.get(req.origin);
      if (fixed === undefined) {
        this.settle();
        return Promise.reject(
          new HttpOriginMismatchError(this.defaultOrigin, req.origin + req.target, "URL"),
        );
      }
    }
    // The prepared request is a hop and an attempt as it is: no copies on the common path.
    const hop: AttemptHop = req;
    if (this.o.retries === 0 && !this.balanced) {
      // The common case: one upstream, no retries. No async frames between caller and socket.
      const upstream = fixed ?? this.balancer.upstreams[0]!;
      return upstream.transport
        .send(req)
        .then(
          (response) => this.settleWith(this.afterResponse(req, hop, response, upstream, 0)),
          this.settleWithError,
        );
    }
    return this.attempt(hop, fixed, req.signal).then(
      ({ response, upstream }) =>
        this.settleWith(this.afterResponse(req, hop, response, upstream, 0)),
      this.settleWithError,
    );
  }

  private afterResponse(
    req: PreparedRequest,
    hop: AttemptHop,
    response: Response,
    upstream: Upstream,
    hops: number,
  ): Response | Promise<Response> {
    const href = upstream.transport.origin + hop.target;
    if (req.redirect === "manual" || !isRedirect(response))
      return setLocation(response, href, hops > 0);
    return this.redirect(req, hop, response, upstream, hops);
  }

  private async redirect(
    req: PreparedRequest,
    hop: AttemptHop,
    response: Response,
    upstream: Upstream,
    hops: number,
  ): Promise<Response> {
    const origin = upstream.transport.origin;
    await discard(response);
    if (req.redirect === "error") {
      throw new HttpRedirectError(
        origin,
        response.status,
        `redirect ${response.status} with redirect: "error"`,
      );
    }
    if (hops >= this.o.maxRedirections) {
      throw new HttpRedirectError(
        origin,
        response.status,
        `more than ${this.o.maxRedirections} redirects`,
      );
    }
    const next = nextHop(
      { ...hop, url: new URL(origin + hop.target) },
      response,
      (o) => this.balancer.get(o) !== undefined,
    );
    upstream.transport.counters.redirects++;
    const nextHopReq: AttemptHop = {
      method: next.method,
      target: next.url.pathname + next.url.search,
      headers: next.headers,
      body: next.body,
    };
    const attempted = await this.attempt(
      nextHopReq,
      this.balancer.get(next.url.origin),
      req.signal,
    );
    return this.afterResponse(req, nextHopReq, attempted.response, attempted.upstream, hops + 1);
  }

  /**
   * One hop: picks an upstream, sends, and retries by the rules in `retry.ts`. A connect failure
   * on a path request moves to another healthy upstream without spending a retry.
   */
  private async attempt(
    hop: AttemptHop,
    fixed: Upstream | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ response: Response; upstream: Upstream }> {
    const o = this.o;
    const replayable = !(hop.body instanceof ReadableStream);
    const tried = new Set<Upstream>();
    // Backoffs end early on the caller's abort (with its reason) or on close() (POOL_CLOSED).
    const closed = this.closeController.signal;
    const backoff = () => (signal === undefined ? closed : AbortSignal.any([signal, closed]));
    let retried = 0;
    for (let attempt = 0; ; attempt++) {
      const upstream =
        fixed ?? this.balancer.pick(this.balancer.hasAlternative(tried) ? tried : undefined);
      if (attempt > 0) upstream.transport.counters.retries++;
      let response: Response;
      try {
        response = await upstream.transport.send({ ...hop, signal });
      } catch (error) {
        if (isConnectFailure(error)) {
          this.balancer.markFailure(upstream);
          tried.add(upstream);
          if (fixed === undefined && this.balancer.hasAlternative(tried)) continue;
        }
        if (retried >= o.retries || !mayRetryError(error, hop.method, replayable)) throw error;
        retried++;
        await sleep(retryDelay(retried, o, null)!, backoff());
        continue;
      }
      this.balancer.markSuccess(upstream);
      if (retried < o.retries && mayRetryStatus(response.status, hop.method, replayable)) {
        const delay = retryDelay(retried + 1, o, response.headers.get("retry-after"));
        if (delay !== undefined) {
          await discard(response);
          retried++;
          await sleep(delay, backoff());
          continue;
        }
      }
      return { response, upstream };
    }
  }
}

/** Drops a body we will not hand out; on the socket transport a cancel closes its socket. */
async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Already errored or locked: nothing left to free.
  }
}

/** A request as one attempt sends it, before a signal is attached. */
type AttemptHop = Omit<Hop, "url"> & { target: string };

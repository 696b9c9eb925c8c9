import { DeadlineList, type DestroyReason, type Lease, Pool, PoolClosedError } from "@pool/core";
import { type CloseReason, Connection, type ConnectTarget } from "./connection.ts";
import { HttpSocketError } from "./errors.ts";
import { Exchange, type ExchangeConfig } from "./exchange.ts";
import { HeadCache } from "./head-cache.ts";
import type { ResolvedOptions } from "./options.ts";
import { OriginCounters, type OriginStats, originStats } from "./origin-stats.ts";
import {
  type AttemptRequest,
  type OriginTransport,
  translateAcquireError,
} from "./origin-transport.ts";
import { isIdempotent } from "./request.ts";
import { ResponseHeads } from "./response-heads.ts";

// Partial on purpose: a reason @pool/core adds later is counted as "error", not a crash.
const POOL_REASONS: Partial<Record<DestroyReason, CloseReason>> = {
  released: "error",
  validation: "remoteClosed",
  idle: "keepAliveTimeout",
  lifetime: "lifetime",
  maxUses: "maxRequests",
  evicted: "keepAliveTimeout",
  closed: "closed",
};

/**
 * The socket transport for one origin: a `Pool<Connection>` of at most `connections`
 * keep-alive sockets, each carrying one {@link Exchange} at a time.
 *
 * @example
 * ```ts
 * const origin = new SocketOrigin(new URL("http://127.0.0.1:8080"), options);
 * const res = await origin.send({ method: "GET", target: "/", headers, body: null, signal: undefined });
 * ```
 */
export class SocketOrigin implements OriginTransport {
  readonly origin: string;
  private readonly pool: Pool<Connection>;
  readonly counters = new OriginCounters();
  private readonly config: ExchangeConfig;
  /** Headers and body deadlines of this origin's sockets: one lazy timer for all of them. */
  private readonly deadlines = new DeadlineList<Connection>((c) => c.expire(), {
    keepAlive: false,
  });
  /** Requests waiting for a connection (a slot), counted here to save a stats() call. */
  private pending = 0;
  /** Each stale resend drops a dead socket, so `connections` of them reach a fresh one. */
  private readonly maxStaleResends: number;

  constructor(url: URL, o: ResolvedOptions) {
    this.origin = url.origin;
    this.maxStaleResends = o.connections;
    const https = url.protocol === "https:";
    const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    const target: ConnectTarget = {
      origin: this.origin,
      hostname,
      port: Number(url.port) || (https ? 443 : 80),
      tls: https
        ? {
            ...(o.tls.ca === undefined ? {} : { ca: o.tls.ca }),
            rejectUnauthorized: o.tls.rejectUnauthorized ?? true,
            serverName: o.tls.serverName ?? hostname,
          }
        : undefined,
      connectTimeoutMs: o.connectTimeoutMs,
      deadlines: this.deadlines,
      onIdleClose: (connection) => this.pool.evict(connection),
    };
    const limits = { maxHeaderBytes: o.maxHeaderBytes, maxHeaderCount: o.maxHeaderCount };
    this.config = {
      origin: this.origin,
      heads: new HeadCache(url.host),
      responseHeads: new ResponseHeads(limits, this.origin),
      headersTimeoutMs: o.headersTimeoutMs,
      bodyTimeoutMs: o.bodyTimeoutMs,
      keepAliveTimeoutMs: o.keepAliveTimeoutMs,
      limits,
      counters: this.counters,
    };
    this.pool = new Pool<Connection>({
      name: this.origin,
      create: (signal) => Connection.open(target, signal),
      destroy: (connection) => connection.destroy(),
      // Sockets closed by the server are evicted as the close arrives; this catches the rest.
      validate: (connection) => !connection.closed,
      max: o.connections,
      acquireTimeoutMs: o.acquireTimeoutMs,
      maxWaiting: o.maxWaiting,
      idleTimeoutMs: o.keepAliveTimeoutMs,
      maxLifetimeMs: o.maxLifetimeMs,
      maxUses: o.maxRequestsPerConnection,
      // Connection.open enforces connectTimeoutMs; this only backs it up.
      createTimeoutMs: o.connectTimeoutMs === 0 ? 0 : o.connectTimeoutMs + 1_000,
      // A refused connect fails the queued requests now, as fetch would, not at acquireTimeoutMs.
      failFast: true,
      createRetryDelayMs: 20,
      createRetryMaxDelayMs: 1_000,
      closeTimeoutMs: o.closeTimeoutMs,
    });
    this.pool.on("createError", () => {
      this.counters.connectErrors++;
    });
    this.pool.on("destroy", (connection, reason) => {
      if (reason === "closed") connection.closeReason ??= "closed";
      this.counters.closed[connection.closeReason ?? POOL_REASONS[reason] ?? "error"]++;
    });
  }

  load(): number {
    return this.counters.inFlight + this.pending;
  }

  /**
   * Sends one request. A failure before any response byte on a reused socket is the server
   * closing an idle keep-alive connection as we wrote to it: the request is sent again on the
   * next connection (at the latest a fresh one) when that cannot duplicate it.
   */
  send(request: AttemptRequest): Promise<Response> {
    return new Promise<Response>((resolve, reject) => this.run(request, 0, resolve, reject));
  }

  private run(
    request: AttemptRequest,
    attempt: number,
    resolve: (response: Response) => void,
    reject: (error: unknown) => void,
  ): void {
    const signal = request.signal;
    if (signal?.aborted) return reject(signal.reason);
    // The synchronous path saves promise ticks per request when a socket is idle; on a closed
    // pool it gives nothing and acquire() below rejects with POOL_CLOSED.
    const lease = this.pool.tryAcquire();
    if (lease !== undefined) return this.exchange(lease, request, attempt, resolve, reject);
    this.pending++;
    this.pool.acquire(signal === undefined ? undefined : { signal }).then(
      (acquired) => {
        this.pending--;
        // A forced close() between the hand-off and this callback took the lease back.
        if (acquired.released) return reject(new PoolClosedError(this.origin));
        this.exchange(acquired, request, attempt, resolve, reject);
      },
      (error: unknown) => {
        this.pending--;
        reject(translateAcquireError(error, this.origin, signal));
      },
    );
  }

  private exchange(
    lease: Lease<Connection>,
    request: AttemptRequest,
    attempt: number,
    resolve: (response: Response) => void,
    reject: (error: unknown) => void,
  ): void {
    const counters = this.counters;
    const reused = lease.resource.requests > 0;
    counters.requests++;
    counters.inFlight++;
    if (attempt > 0) counters.retries++;
    const exchange: Exchange = new Exchange(lease, request, this.config, resolve, (error) => {
      const stale = reused && error instanceof HttpSocketError && !error.responseStarted;
      if (stale && attempt < this.maxStaleResends && !request.signal?.aborted) {
        const replayable = !(request.body instanceof ReadableStream);
        if ((isIdempotent(request.method) && replayable) || !exchange.wroteAny) {
          return this.run(request, attempt + 1, resolve, reject);
        }
      }
      counters.failed++;
      reject(error);
    });
    exchange.start();
  }

  stats(): Omit<OriginStats, "healthy"> {
    const p = this.pool.stats();
    const c = this.counters;
    let total = 0;
    for (const n of Object.values(c.closed)) total += n;
    return originStats(this.origin, p, c, {
      size: p.size,
      idle: p.idle,
      borrowed: p.borrowed,
      creating: p.creating,
      created: p.created,
      reused: p.reused,
      closed: { ...c.closed, total },
      connectErrors: c.connectErrors,
    });
  }

  preconnect(): void {
    const p = this.pool.stats();
    if (this.pool.closed || p.size + p.creating > 0) return;
    // A borrow given straight back: the pool opens the socket and keeps it idle.
    this.pool.acquire().then(
      (lease) => lease.release(),
      () => {},
    );
  }

  async close(timeoutMs: number): Promise<void> {
    await this.pool.close({ timeoutMs });
    this.deadlines.clear();
  }
}

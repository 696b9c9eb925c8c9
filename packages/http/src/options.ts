import {
  callOptionsParser,
  checkBoolean,
  checkCount,
  checkDurationMs,
  checkEnum,
  PoolInvalidOptionError,
  unknownOption,
} from "@pool/core";

/**
 * TLS settings for `https` origins.
 *
 * @example
 * ```ts
 * new HttpPool({ origin: "https://127.0.0.1:8443", tls: { ca: await Bun.file("ca.pem").text() } });
 * ```
 */
export interface HttpTlsOptions {
  /** Certificate authorities to trust instead of the system's, as PEM. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Refuse servers whose certificate does not verify. @default true */
  rejectUnauthorized?: boolean;
  /** SNI name and the name the certificate must match. @default the origin's hostname */
  serverName?: string;
}

/**
 * Active health probing of a balanced pool's origins.
 *
 * @example
 * ```ts
 * new HttpPool({ origins: [a, b], healthCheck: { path: "/api/version", intervalMs: 2_000 } });
 * ```
 */
export interface HealthCheckOptions {
  /** `GET` this path to probe a down origin (a status below 500 means up); without it a probe only connects. */
  path?: string;
  /** How often a down origin is probed. @default 5000 */
  intervalMs?: number;
  /** Consecutive connection failures that take an origin out of rotation. @default 3 */
  unhealthyAfter?: number;
  /** How long one probe may take. @default 2000 */
  timeoutMs?: number;
}

/**
 * Options of an {@link HttpPool}. Times are in milliseconds; `0` turns an optional limit off.
 * Options marked *socket only* are refused by the `"fetch"` transport, which cannot see sockets.
 *
 * @example
 * ```ts
 * const http = new HttpPool({
 *   origin: "http://127.0.0.1:11434",
 *   connections: 8,
 *   headersTimeoutMs: 60_000,
 *   retries: 2,
 * });
 * ```
 */
export interface HttpPoolOptions {
  /** The one upstream, `scheme://host[:port]`. Give this or `origins`. */
  origin?: string | URL;
  /** Several upstreams serving the same API; paths are balanced across them. */
  origins?: ReadonlyArray<string | URL>;
  /** `"socket"`: HTTP/1.1 over `Bun.connect`. `"fetch"`: Bun's fetch in a session of its own. @default "socket" */
  transport?: "socket" | "fetch";
  /** Most connections (socket) or requests in flight (fetch) per origin. @default 10 */
  connections?: number;
  /** Longest wait in the queue for a connection, then `POOL_TIMEOUT`. @default 30000 */
  acquireTimeoutMs?: number;
  /** Requests allowed to queue per origin; one more fails with `POOL_QUEUE_FULL`. `0` is unlimited. @default 0 */
  maxWaiting?: number;
  /** *Socket only.* TCP connect plus TLS handshake. @default 10000 */
  connectTimeoutMs?: number;
  /** From the request sent to the response head received. @default 300000 */
  headersTimeoutMs?: number;
  /** Longest wait for body progress: no byte arriving, or what arrived left unread (a forgotten body frees its connection). @default 300000 */
  bodyTimeoutMs?: number;
  /** Idle connections close after this; a server's `Keep-Alive: timeout=` lowers it. On fetch: rounded up to Bun's coarse timer. @default 4000 */
  keepAliveTimeoutMs?: number;
  /** *Socket only.* Connections are retired after about this long; `0` is forever. @default 0 */
  maxLifetimeMs?: number;
  /** *Socket only.* Connections are retired after this many requests; `0` is unlimited. @default 0 */
  maxRequestsPerConnection?: number;
  /** *Socket only.* Largest response head accepted. @default 16384 */
  maxHeaderBytes?: number;
  /** *Socket only.* Most response header fields accepted. @default 100 */
  maxHeaderCount?: number;
  /** Extra attempts for idempotent requests after connection errors and 502/503/504. @default 0 */
  retries?: number;
  /** First backoff delay between those attempts; doubles, with jitter. @default 100 */
  retryDelayMs?: number;
  /** Cap on the backoff delay and on a `Retry-After` that is honoured. @default 5000 */
  retryMaxDelayMs?: number;
  /** Redirects followed per request before `HTTP_REDIRECT`. @default 20 */
  maxRedirections?: number;
  /** TLS settings for `https` origins. */
  tls?: HttpTlsOptions;
  /** Health probing of a balanced pool; only with `origins`. */
  healthCheck?: HealthCheckOptions;
  /** How long `close()` lets requests in flight finish before aborting them. @default 30000 */
  closeTimeoutMs?: number;
}

/**
 * Options with every default filled in and origins parsed.
 */
export interface ResolvedOptions {
  origins: URL[];
  /** Given as `origins`: health is tracked and paths are balanced. */
  balanced: boolean;
  transport: "socket" | "fetch";
  connections: number;
  acquireTimeoutMs: number;
  maxWaiting: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxLifetimeMs: number;
  maxRequestsPerConnection: number;
  maxHeaderBytes: number;
  maxHeaderCount: number;
  retries: number;
  retryDelayMs: number;
  retryMaxDelayMs: number;
  maxRedirections: number;
  tls: HttpTlsOptions;
  healthCheck: Required<Omit<HealthCheckOptions, "path">> & { path: string | undefined };
  closeTimeoutMs: number;
}

const DEFAULTS = {
  transport: "socket",
  connections: 10,
  acquireTimeoutMs: 30_000,
  maxWaiting: 0,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 300_000,
  bodyTimeoutMs: 300_000,
  keepAliveTimeoutMs: 4_000,
  maxLifetimeMs: 0,
  maxRequestsPerConnection: 0,
  maxHeaderBytes: 16_384,
  maxHeaderCount: 100,
  retries: 0,
  retryDelayMs: 100,
  retryMaxDelayMs: 5_000,
  maxRedirections: 20,
  closeTimeoutMs: 30_000,
} as const;

/**
 * Options the fetch transport cannot honour: it never sees a socket.
 */
export const SOCKET_ONLY = [
  "connectTimeoutMs",
  "maxLifetimeMs",
  "maxRequestsPerConnection",
  "maxHeaderBytes",
  "maxHeaderCount",
] as const;

// Sets, and own keys only (`unknownOption`): a key an object inherits, such as `constructor`,
// or a `"__proto__"` key from JSON.parse, is an unknown option like any typo.
const KNOWN: ReadonlySet<string> = new Set([
  ...Object.keys(DEFAULTS),
  "origin",
  "origins",
  "tls",
  "healthCheck",
]);
const TLS_KEYS: ReadonlySet<string> = new Set(["ca", "rejectUnauthorized", "serverName"]);
const HEALTH_CHECK_KEYS: ReadonlySet<string> = new Set([
  "path",
  "intervalMs",
  "unhealthyAfter",
  "timeoutMs",
]);

/** Names other clients use, mapped to ours, so a migrating user gets a hint. */
const RENAMED: Readonly<Record<string, string>> = {
  keepAliveTimeout: "keepAliveTimeoutMs",
  headersTimeout: "headersTimeoutMs",
  bodyTimeout: "bodyTimeoutMs",
  connectTimeout: "connectTimeoutMs",
  connect: "connectTimeoutMs or tls",
  maxHeaderSize: "maxHeaderBytes",
  maxRequestsPerClient: "maxRequestsPerConnection",
  pipelining: "connections (requests are never pipelined)",
  timeout: "headersTimeoutMs and bodyTimeoutMs",
  max: "connections",
  maxSockets: "connections",
  maxRedirects: "maxRedirections",
  url: "origin",
  baseURL: "origin",
  host: "origin",
};

const DURATIONS = [
  "connectTimeoutMs",
  "headersTimeoutMs",
  "bodyTimeoutMs",
  "keepAliveTimeoutMs",
  "maxLifetimeMs",
  "retryDelayMs",
  "retryMaxDelayMs",
  "closeTimeoutMs",
] as const;
const COUNTS = ["maxWaiting", "maxRequestsPerConnection", "retries", "maxRedirections"] as const;
const POSITIVE_COUNTS = ["connections", "maxHeaderBytes", "maxHeaderCount"] as const;

/**
 * Fills in defaults and checks every field, naming the bad one.
 *
 * @throws {PoolInvalidOptionError} on an unknown key, a wrong type, a value out of range, or a
 *   socket-only option given to the fetch transport.
 *
 * @example
 * ```ts
 * resolveOptions({ origin: "http://127.0.0.1:8080", connections: 4 }).keepAliveTimeoutMs; // 4000
 * ```
 */
export function resolveOptions(options: HttpPoolOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") {
    throw new PoolInvalidOptionError("options", "expected an object with `origin` or `origins`");
  }
  const unknown = unknownOption(options, KNOWN, "", RENAMED);
  if (unknown !== undefined) throw unknown;
  const given = stripUndefined(options as Record<string, unknown>);
  const o = { ...DEFAULTS, ...given } as Record<string, unknown>;
  checkEnum(o.transport, "transport", ["socket", "fetch"]);
  if (o.transport === "fetch") {
    for (const key of SOCKET_ONLY) {
      if (Object.hasOwn(given, key)) {
        throw new PoolInvalidOptionError(
          key,
          'is honoured by the "socket" transport only: the "fetch" transport cannot see sockets',
        );
      }
    }
  }
  // Positive: a request must not queue forever.
  checkDurationMs(o.acquireTimeoutMs, "acquireTimeoutMs", { positive: true });
  for (const key of DURATIONS) checkDurationMs(o[key], key);
  for (const key of COUNTS) checkCount(o[key], key);
  for (const key of POSITIVE_COUNTS) checkCount(o[key], key, { positive: true });
  if (given.healthCheck !== undefined && given.origins === undefined) {
    // Health only takes origins out of a balanced rotation: with one origin it would do nothing.
    throw new PoolInvalidOptionError("healthCheck", "applies to a pool of several `origins`");
  }
  if ((o.retryMaxDelayMs as number) < (o.retryDelayMs as number)) {
    throw new PoolInvalidOptionError("retryMaxDelayMs", "must not be below retryDelayMs");
  }
  return {
    ...(o as unknown as Omit<ResolvedOptions, "origins" | "balanced" | "tls" | "healthCheck">),
    origins: resolveOrigins(given.origin, given.origins),
    balanced: given.origins !== undefined,
    tls: resolveTls(given.tls),
    healthCheck: resolveHealthCheck(given.healthCheck),
  };
}

/**
 * Checks `close()`'s options as the constructor checks its own: `{ timeoutMs }` only, own keys
 * only, `0` allowed (abort at once). Returns the error rather than throwing it, so `close()`
 * can reject with it.
 */
export const closeOptions = callOptionsParser("close", { keys: ["timeoutMs"], zeroTimeout: true });

function resolveOrigins(origin: unknown, origins: unknown): URL[] {
  if ((origin === undefined) === (origins === undefined)) {
    throw new PoolInvalidOptionError("origin", "give exactly one of `origin` and `origins`");
  }
  const key = origin === undefined ? "origins" : "origin";
  const list = origin === undefined ? origins : [origin];
  if (!Array.isArray(list) || list.length === 0) {
    throw new PoolInvalidOptionError(key, "must be a non-empty array of origins");
  }
  const seen = new Set<string>();
  return list.map((value) => {
    let url: URL;
    try {
      url = new URL(String(value));
    } catch {
      throw new PoolInvalidOptionError(key, `${JSON.stringify(String(value))} is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new PoolInvalidOptionError(key, `${url.href}: only http: and https: are supported`);
    }
    if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || url.username) {
      throw new PoolInvalidOptionError(
        key,
        `${url.href}: an origin is scheme://host[:port], without path, query or credentials`,
      );
    }
    if (seen.has(url.origin))
      throw new PoolInvalidOptionError(key, `${url.origin} is listed twice`);
    seen.add(url.origin);
    return new URL(url.origin);
  });
}

function resolveTls(tls: unknown): HttpTlsOptions {
  if (tls === undefined) return {};
  if (tls === null || typeof tls !== "object")
    throw new PoolInvalidOptionError("tls", "must be an object");
  refuseUnknown(tls, TLS_KEYS, "tls");
  const t = stripUndefined(tls as Record<string, unknown>);
  if (t.rejectUnauthorized !== undefined)
    checkBoolean(t.rejectUnauthorized, "tls.rejectUnauthorized");
  if (t.serverName !== undefined && (typeof t.serverName !== "string" || t.serverName === "")) {
    throw new PoolInvalidOptionError("tls.serverName", "must be a non-empty string");
  }
  if (t.ca !== undefined) {
    const cas = Array.isArray(t.ca) ? t.ca : [t.ca];
    if (!cas.every((c) => typeof c === "string" || c instanceof Uint8Array)) {
      throw new PoolInvalidOptionError("tls.ca", "must be PEM text or bytes, or an array of them");
    }
  }
  // A plain object again: Bun's TLS options are read by code that may expect one.
  return { ...t } as HttpTlsOptions;
}

function resolveHealthCheck(value: unknown): ResolvedOptions["healthCheck"] {
  const out = {
    path: undefined as string | undefined,
    intervalMs: 5_000,
    unhealthyAfter: 3,
    timeoutMs: 2_000,
  };
  if (value === undefined) return out;
  if (value === null || typeof value !== "object") {
    throw new PoolInvalidOptionError("healthCheck", "must be an object");
  }
  refuseUnknown(value, HEALTH_CHECK_KEYS, "healthCheck");
  const h = stripUndefined(value as Record<string, unknown>);
  if (h.path !== undefined) {
    if (typeof h.path !== "string" || !h.path.startsWith("/")) {
      throw new PoolInvalidOptionError("healthCheck.path", 'must be a path starting with "/"');
    }
    out.path = h.path;
  }
  for (const key of ["intervalMs", "timeoutMs"] as const) {
    if (h[key] !== undefined)
      out[key] = checkDurationMs(h[key], `healthCheck.${key}`, { positive: true });
  }
  if (h.unhealthyAfter !== undefined) {
    out.unhealthyAfter = checkCount(h.unhealthyAfter, "healthCheck.unhealthyAfter", {
      positive: true,
    });
  }
  return out;
}

/** Throws for the first own key of the nested object `value` that `known` lacks, as `name.key`. */
function refuseUnknown(value: object, known: ReadonlySet<string>, name: string): void {
  const unknown = unknownOption(value, known, "");
  if (unknown !== undefined)
    throw new PoolInvalidOptionError(`${name}.${unknown.option}`, "unknown option");
}

/** The own keys whose value is not `undefined`, on an object without a prototype to reach. */
function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(o)) if (o[key] !== undefined) out[key] = o[key];
  return out;
}

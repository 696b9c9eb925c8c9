import { brandErrorClass, PoolError } from "@pool/core";

/**
 * Stable codes of the errors @pool/http throws. Match on these (and on the class), never on
 * messages. Aborts are not among them: an aborted request rejects with `signal.reason`, as
 * `fetch` does.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof HttpError && error.code === "HTTP_HEADERS_TIMEOUT") retryLater();
 * }
 * ```
 */
export type HttpErrorCode =
  | "HTTP_CONNECT_FAILED"
  | "HTTP_CONNECT_TIMEOUT"
  | "HTTP_HEADERS_TIMEOUT"
  | "HTTP_BODY_TIMEOUT"
  | "HTTP_SOCKET_CLOSED"
  | "HTTP_PARSE_ERROR"
  | "HTTP_DECODE_ERROR"
  | "HTTP_ORIGIN_MISMATCH"
  | "HTTP_INVALID_HEADER"
  | "HTTP_INVALID_REQUEST"
  | "HTTP_REDIRECT"
  | "HTTP_NO_HEALTHY_ORIGIN";

/**
 * Base class of every @pool/http error: a {@link PoolError} with a stable `code` and the
 * `origin` the request was for (also in the message).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof HttpError) console.log(e.code, e.origin); }
 * ```
 */
export class HttpError extends PoolError {
  override readonly code: HttpErrorCode;
  /** `scheme://host:port` of the upstream the request was for; `""` when none was chosen. */
  readonly origin: string;

  constructor(code: HttpErrorCode, origin: string, message: string, options?: ErrorOptions) {
    super(code, origin === "" ? message : `${origin}: ${message}`, options);
    this.code = code;
    this.origin = origin;
  }
}

/**
 * A connection could not be opened: refused, unreachable or a failed TLS handshake. `cause` is
 * the socket error. Nothing was sent, so any request may be retried.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof HttpConnectError) console.log(e.cause); }
 * ```
 */
export class HttpConnectError extends HttpError {
  constructor(origin: string, cause: unknown) {
    super("HTTP_CONNECT_FAILED", origin, `connect failed: ${describe(cause)}`, { cause });
  }
}

/**
 * A stage of the exchange took longer than its limit: `HTTP_CONNECT_TIMEOUT` (TCP and TLS),
 * `HTTP_HEADERS_TIMEOUT` (request sent, waiting for the response head) or `HTTP_BODY_TIMEOUT`
 * (no body byte arrived for that long, or the reader left what arrived unread). `timeoutMs` is
 * the limit.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof HttpTimeoutError && e.code === "HTTP_BODY_TIMEOUT") log(e.timeoutMs); }
 * ```
 */
export class HttpTimeoutError extends HttpError {
  readonly timeoutMs: number;

  constructor(
    code: "HTTP_CONNECT_TIMEOUT" | "HTTP_HEADERS_TIMEOUT" | "HTTP_BODY_TIMEOUT",
    origin: string,
    timeoutMs: number,
  ) {
    const stage =
      code === "HTTP_CONNECT_TIMEOUT"
        ? "connect"
        : code === "HTTP_HEADERS_TIMEOUT"
          ? "response headers"
          : "response body";
    super(code, origin, `${stage} timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The connection closed (or was reset) before the response was complete. `responseStarted`
 * says whether any byte of the response had arrived. When none had, on a socket that had
 * served requests before (the server closed it as it idled), and resending was safe,
 * @pool/http already sent the request again on another connection, at the latest a fresh one.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof HttpSocketError && !e.responseStarted) maybeResend(); }
 * ```
 */
export class HttpSocketError extends HttpError {
  readonly responseStarted: boolean;

  constructor(origin: string, responseStarted: boolean, cause?: unknown) {
    const what = responseStarted ? "in the middle of the response" : "before any response byte";
    super(
      "HTTP_SOCKET_CLOSED",
      origin,
      `socket closed ${what}` + (cause === undefined ? "" : `: ${describe(cause)}`),
      cause === undefined ? undefined : { cause },
    );
    this.responseStarted = responseStarted;
  }
}

/**
 * The server's response broke HTTP/1.1 (status line, header syntax, chunk framing, a
 * `Content-Length` that lies) or passed `maxHeaderBytes`/`maxHeaderCount`. The socket is
 * discarded, never reused.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof HttpParseError) alertUpstreamOwners(e.message); }
 * ```
 */
export class HttpParseError extends HttpError {
  constructor(origin: string, message: string) {
    super("HTTP_PARSE_ERROR", origin, `malformed response: ${message}`);
  }
}

/**
 * A `Content-Encoding` body (gzip, deflate, br) did not decode.
 *
 * @example
 * ```ts
 * await res.text(); // rejects with HttpDecodeError on a corrupt gzip body
 * ```
 */
export class HttpDecodeError extends HttpError {
  constructor(origin: string, encoding: string, cause: unknown) {
    super("HTTP_DECODE_ERROR", origin, `could not decode ${encoding} body: ${describe(cause)}`, {
      cause,
    });
  }
}

/**
 * A URL (given, or a redirect's `Location`) points outside the pool's origins. A pool only
 * talks to the upstreams it was made for.
 *
 * @example
 * ```ts
 * await http.fetch("http://elsewhere.example/"); // rejects with HttpOriginMismatchError
 * ```
 */
export class HttpOriginMismatchError extends HttpError {
  /** The URL that was refused. */
  readonly url: string;

  constructor(origin: string, url: string, what: string) {
    super("HTTP_ORIGIN_MISMATCH", origin, `${what} ${url} is not an origin of this pool`);
    this.url = url;
  }
}

/**
 * A request header name or value is not valid HTTP (for instance it holds CR or LF, which
 * would let it inject headers). Thrown before anything is sent.
 *
 * @example
 * ```ts
 * await http.fetch("/", { headers: { "x-a": "1\r\nx-b: 2" } }); // HttpInvalidHeaderError
 * ```
 */
export class HttpInvalidHeaderError extends HttpError {
  /** The offending header name. */
  readonly header: string;

  constructor(origin: string, header: string, message: string) {
    super(
      "HTTP_INVALID_HEADER",
      origin,
      `invalid request header ${JSON.stringify(header)}: ${message}`,
    );
    this.header = header;
  }
}

/**
 * The request itself is unusable (a body on GET, an unknown method, a bad `redirect` value...).
 * Thrown before anything is sent.
 *
 * @example
 * ```ts
 * await http.fetch("/", { method: "GET", body: "x" }); // HttpInvalidRequestError
 * ```
 */
export class HttpInvalidRequestError extends HttpError {
  constructor(origin: string, message: string, cause?: unknown) {
    super(
      "HTTP_INVALID_REQUEST",
      origin,
      cause === undefined ? message : `${message}: ${describe(cause)}`,
      cause === undefined ? undefined : { cause },
    );
  }
}

/**
 * A redirect could not be followed: `redirect: "error"`, more than `maxRedirections` hops, a
 * missing `Location`, or a 307/308 whose streamed body cannot be sent again.
 *
 * @example
 * ```ts
 * await http.fetch("/moved", { redirect: "error" }); // HttpRedirectError
 * ```
 */
export class HttpRedirectError extends HttpError {
  /** The status of the redirect response. */
  readonly status: number;

  constructor(origin: string, status: number, message: string) {
    super("HTTP_REDIRECT", origin, message);
    this.status = status;
  }
}

/**
 * Every origin of a balanced pool is marked down after consecutive connection failures; the
 * request failed at once instead of queueing. Health probes bring origins back.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof HttpNoHealthyOriginError) serveFromCache(); }
 * ```
 */
export class HttpNoHealthyOriginError extends HttpError {
  constructor(origins: readonly string[]) {
    super("HTTP_NO_HEALTHY_ORIGIN", "", `no healthy origin among ${origins.join(", ")}`);
  }
}

// `instanceof` holds across two copies of this package (an app whose dependencies bring their
// own): each class is recognised by a brand that is the same in every copy. The ids are spelled
// out, not read from `.name`, which a minifier may change.
brandErrorClass(HttpError, "@pool/http.HttpError");
brandErrorClass(HttpConnectError, "@pool/http.HttpConnectError");
brandErrorClass(HttpTimeoutError, "@pool/http.HttpTimeoutError");
brandErrorClass(HttpSocketError, "@pool/http.HttpSocketError");
brandErrorClass(HttpParseError, "@pool/http.HttpParseError");
brandErrorClass(HttpDecodeError, "@pool/http.HttpDecodeError");
brandErrorClass(HttpOriginMismatchError, "@pool/http.HttpOriginMismatchError");
brandErrorClass(HttpInvalidHeaderError, "@pool/http.HttpInvalidHeaderError");
brandErrorClass(HttpInvalidRequestError, "@pool/http.HttpInvalidRequestError");
brandErrorClass(HttpRedirectError, "@pool/http.HttpRedirectError");
brandErrorClass(HttpNoHealthyOriginError, "@pool/http.HttpNoHealthyOriginError");

/**
 * A message fragment for a cause of any type.
 *
 * @example
 * ```ts
 * describe(new Error("refused")); // "refused"
 * ```
 */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const text = error.message || error.name;
    return typeof code === "string" && !text.includes(code) ? `${text} (${code})` : text;
  }
  return String(error);
}

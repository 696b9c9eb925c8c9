import { HttpInvalidRequestError } from "./errors.ts";
import { isToken, RequestHeaders } from "./request-headers.ts";

/**
 * What `HttpPool.fetch` accepts as its second argument: `RequestInit`, as with `fetch`.
 *
 * @example
 * ```ts
 * const init: HttpRequestInit = { method: "POST", body: JSON.stringify(payload) };
 * await http.fetch("/api/chat", init);
 * ```
 */
export type HttpRequestInit = RequestInit;

/**
 * A request body after conversion: bytes (replayable) or a stream (sent once, chunked).
 */
export type PreparedBody = Uint8Array | ReadableStream<Uint8Array> | null;

/**
 * One request, validated and normalized, independent of the origin it will go to.
 */
export interface PreparedRequest {
  method: string;
  /** The origin named by the input, or `undefined` for a bare path (the balancer picks). */
  origin: string | undefined;
  /** Path and query, always starting with "/". */
  target: string;
  headers: RequestHeaders;
  body: PreparedBody;
  signal: AbortSignal | undefined;
  redirect: "follow" | "manual" | "error";
}

const UPPERCASED = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH"]);
const FORBIDDEN = new Set(["CONNECT", "TRACE", "TRACK"]);
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);
const encoder = new TextEncoder();

/**
 * RFC 9110 §9.2.2 methods a server must tolerate receiving twice.
 *
 * @example
 * ```ts
 * isIdempotent("PUT"); // true
 * isIdempotent("POST"); // false
 * ```
 */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

// Paths made only of characters the URL parser leaves alone, without dot segments or a
// fragment: used as they are, which saves a URL parse per request.
const PLAIN_PATH = /^\/[A-Za-z0-9\-_~!$&'()*+,;=:@/%?]*$/;

function isPlainPath(path: string): boolean {
  return PLAIN_PATH.test(path) && !path.includes("/.");
}

/**
 * Normalizes `fetch`'s arguments: a path relative to the pool's origin, an absolute string or
 * URL, or a `Request` (whose method, headers, body, signal and redirect mode are used unless
 * `init` overrides them). Synchronous unless a body must be read (Blob, FormData, Request).
 *
 * @param knownOrigin returns the pool origin `href` starts with, if any: lets the common
 *   absolute URL skip the URL parser.
 * @throws {HttpInvalidRequestError} on an unusable URL, method, body or redirect mode, or an
 *   `init` that is not an object.
 * @throws {HttpInvalidHeaderError} on an invalid header.
 *
 * @example
 * ```ts
 * const req = await prepareRequest("/api/chat", { method: "post", body: "{}" }, origin, knownOrigin);
 * req.method; // "POST"
 * ```
 */
export function prepareRequest(
  input: string | URL | Request,
  given: HttpRequestInit | null | undefined,
  defaultOrigin: string,
  knownOrigin: (href: string) => string | undefined,
): PreparedRequest | Promise<PreparedRequest> {
  // RequestInit is a WebIDL dictionary: null means none, anything else must be an object.
  // Unknown members are ignored and inherited ones read, as fetch does with them.
  const init = given ?? undefined;
  if (init !== undefined && typeof init !== "object" && typeof init !== "function") {
    throw new HttpInvalidRequestError(defaultOrigin, "init must be an object (a RequestInit)");
  }
  let request: Request | undefined;
  let href: string;
  if (typeof input === "string") href = input;
  else if (input instanceof URL) href = input.href;
  else if (input instanceof Request) {
    request = input;
    href = input.url;
  } else href = String(input);

  let origin: string | undefined;
  let target: string;
  if (href.startsWith("/") && !href.startsWith("//")) {
    target = isPlainPath(href) ? href : pathOf(parseUrl(`http://x${href}`, defaultOrigin, href));
  } else {
    const known = knownOrigin(href);
    const rest = known === undefined ? "" : href.slice(known.length);
    if (
      known !== undefined &&
      (rest === "" || isPlainPath(rest.startsWith("?") ? `/${rest}` : rest))
    ) {
      origin = known;
      target = rest === "" ? "/" : rest.startsWith("?") ? `/${rest}` : rest;
    } else {
      const url = parseUrl(href, defaultOrigin, href);
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new HttpInvalidRequestError(defaultOrigin, `unsupported URL scheme in ${url.href}`);
      }
      if (url.username || url.password) {
        throw new HttpInvalidRequestError(defaultOrigin, "URLs with credentials are not supported");
      }
      origin = url.origin;
      target = pathOf(url);
    }
  }
  const where = origin ?? defaultOrigin;

  const rawMethod = init?.method ?? request?.method;
  const method = rawMethod === undefined ? "GET" : normalizeMethod(String(rawMethod), where);
  const headers = RequestHeaders.from(init?.headers ?? request?.headers, where);
  const redirect = init?.redirect ?? request?.redirect ?? "follow";
  if (redirect !== "follow" && redirect !== "manual" && redirect !== "error") {
    throw new HttpInvalidRequestError(where, `redirect must be "follow", "manual" or "error"`);
  }
  const signal = init?.signal ?? request?.signal ?? undefined;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new HttpInvalidRequestError(where, "signal must be an AbortSignal");
  }
  const prepared: PreparedRequest = {
    method,
    origin,
    target,
    headers,
    body: null,
    signal,
    redirect,
  };

  const rawBody = init !== undefined && "body" in init ? init.body : undefined;
  if (rawBody !== undefined && rawBody !== null) {
    const converted = convertBody(rawBody);
    if (converted instanceof Promise) {
      return converted.then((c) => withBody(prepared, c, where), unreadable(where));
    }
    return withBody(prepared, converted, where);
  }
  if (request?.body) {
    // Read whole, so a retry or a 307 can send it again.
    return request
      .arrayBuffer()
      .then((b) => withBody(prepared, [new Uint8Array(b), undefined], where), unreadable(where));
  }
  return prepared;
}

/** A body that could not be read (already used, a failing stream) is the request's fault. */
function unreadable(where: string): (error: unknown) => never {
  return (error) => {
    throw new HttpInvalidRequestError(where, "could not read the request body", error);
  };
}

function withBody(
  prepared: PreparedRequest,
  [body, contentType]: [PreparedBody, string | undefined],
  where: string,
): PreparedRequest {
  const method = prepared.method;
  if (method === "GET" || method === "HEAD") {
    throw new HttpInvalidRequestError(where, `a ${method} request cannot have a body`);
  }
  if (contentType !== undefined && !prepared.headers.has("content-type")) {
    if (prepared.headers === RequestHeaders.NONE) prepared.headers = new RequestHeaders();
    prepared.headers.set("content-type", contentType);
  }
  prepared.body = body;
  return prepared;
}

function pathOf(url: URL): string {
  return url.pathname + url.search;
}

function parseUrl(href: string, origin: string, shown: string): URL {
  try {
    return new URL(href);
  } catch {
    throw new HttpInvalidRequestError(origin, `invalid URL ${JSON.stringify(shown)}`);
  }
}

function normalizeMethod(method: string, origin: string): string {
  const upper = method.toUpperCase();
  const normalized = UPPERCASED.has(upper) ? upper : method;
  if (!isToken(normalized))
    throw new HttpInvalidRequestError(origin, `invalid method ${JSON.stringify(method)}`);
  if (FORBIDDEN.has(upper))
    throw new HttpInvalidRequestError(origin, `method ${upper} is not allowed`);
  return normalized;
}

type Converted = [PreparedBody, string | undefined];

/** The body as bytes or a stream, and the `Content-Type` fetch would give it. */
function convertBody(body: unknown): Converted | Promise<Converted> {
  if (typeof body === "string") return [encoder.encode(body), "text/plain;charset=UTF-8"];
  if (body instanceof Uint8Array) return [body, undefined];
  if (body instanceof ArrayBuffer || body instanceof SharedArrayBuffer)
    return [new Uint8Array(body), undefined];
  if (ArrayBuffer.isView(body))
    return [new Uint8Array(body.buffer, body.byteOffset, body.byteLength), undefined];
  if (body instanceof URLSearchParams) {
    return [encoder.encode(body.toString()), "application/x-www-form-urlencoded;charset=UTF-8"];
  }
  if (body instanceof ReadableStream) return [body as ReadableStream<Uint8Array>, undefined];
  if (body instanceof Blob) return body.bytes().then((b): Converted => [b, body.type || undefined]);
  if (body instanceof FormData) {
    // Response encodes FormData as multipart exactly as fetch would, boundary included.
    const encoded = new Response(body);
    const type = encoded.headers.get("content-type") ?? undefined;
    return encoded.bytes().then((b): Converted => [b, type]);
  }
  return [encoder.encode(String(body)), "text/plain;charset=UTF-8"];
}

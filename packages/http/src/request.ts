import { HttpInvalidRequestError } from "./errors.ts";
import { isToken, RequestHeaders } from "./headers.ts";

/** What `HttpPool.fetch` accepts as its second argument: `RequestInit`, as with `fetch`. */
export type HttpRequestInit = RequestInit;

/** A request body after conversion: bytes (replayable) or a stream (sent once, chunked). */
export type PreparedBody = Uint8Array | ReadableStream<Uint8Array> | null;

/** One request, validated and normalized, independent of the origin it will go to. */
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

/** RFC 9110 §9.2.2 methods a server must tolerate receiving twice. */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

/**
 * Normalizes `fetch`'s arguments: a path relative to the pool's origin, an absolute string or
 * URL, or a `Request` (whose method, headers, body, signal and redirect mode are used unless
 * `init` overrides them). Async only when a body must be read (Blob, FormData, Request).
 *
 * @throws {HttpInvalidRequestError} on an unusable URL, method, body or redirect mode.
 * @throws {HttpInvalidHeaderError} on an invalid header.
 */
export async function prepareRequest(
  input: string | URL | Request,
  init: HttpRequestInit | undefined,
  defaultOrigin: string,
): Promise<PreparedRequest> {
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
    const url = parseUrl(`http://x${href}`, defaultOrigin, href);
    target = url.pathname + url.search;
  } else {
    const url = parseUrl(href, defaultOrigin, href);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new HttpInvalidRequestError(defaultOrigin, `unsupported URL scheme in ${url.href}`);
    }
    if (url.username || url.password) {
      throw new HttpInvalidRequestError(defaultOrigin, "URLs with credentials are not supported");
    }
    origin = url.origin;
    target = url.pathname + url.search;
  }
  const where = origin ?? defaultOrigin;

  const rawMethod = init?.method ?? request?.method ?? "GET";
  const method = normalizeMethod(String(rawMethod), where);
  const headers = RequestHeaders.from(init?.headers ?? request?.headers, where);
  const redirect = init?.redirect ?? request?.redirect ?? "follow";
  if (redirect !== "follow" && redirect !== "manual" && redirect !== "error") {
    throw new HttpInvalidRequestError(where, `redirect must be "follow", "manual" or "error"`);
  }
  const signal = init?.signal ?? request?.signal ?? undefined;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new HttpInvalidRequestError(where, "signal must be an AbortSignal");
  }

  let body: PreparedBody = null;
  let contentType: string | undefined;
  if (init !== undefined && "body" in init && init.body !== undefined && init.body !== null) {
    [body, contentType] = await convertBody(init.body);
  } else if (request?.body) {
    // Read whole, so a retry or a 307 can send it again.
    body = new Uint8Array(await request.arrayBuffer());
  }
  if (body !== null && (method === "GET" || method === "HEAD")) {
    throw new HttpInvalidRequestError(where, `a ${method} request cannot have a body`);
  }
  if (contentType !== undefined && !headers.has("content-type"))
    headers.set("content-type", contentType);
  return { method, origin, target, headers, body, signal, redirect };
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

/** The body as bytes or a stream, and the `Content-Type` fetch would give it. */
async function convertBody(body: unknown): Promise<[PreparedBody, string | undefined]> {
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
  if (body instanceof Blob) return [await body.bytes(), body.type || undefined];
  if (body instanceof FormData) {
    // Response encodes FormData as multipart exactly as fetch would, boundary included.
    const encoded = new Response(body);
    return [await encoded.bytes(), encoded.headers.get("content-type") ?? undefined];
  }
  return [encoder.encode(String(body)), "text/plain;charset=UTF-8"];
}

import { HttpOriginMismatchError, HttpRedirectError } from "./errors.ts";
import type { PreparedBody } from "./request.ts";
import type { RequestHeaders } from "./request-headers.ts";

/**
 * The parts of a request a redirect may change.
 */
export interface Hop {
  method: string;
  /** Absolute URL of this hop. */
  url: URL;
  headers: RequestHeaders;
  body: PreparedBody;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const BODY_HEADERS = ["content-type", "content-encoding", "content-language", "content-location"];
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie"];

/**
 * True for a status fetch would follow, given a `Location`.
 *
 * @example
 * ```ts
 * if (isRedirect(response)) hop = nextHop(hop, response, isOurs);
 * ```
 */
export function isRedirect(response: Response): boolean {
  return REDIRECTS.has(response.status) && response.headers.has("location");
}

/**
 * The next hop of a followed redirect, by fetch's rules (WHATWG Fetch §4.4): a relative
 * `Location` resolves against the URL that answered; 303, and 301/302 after a POST, turn into a
 * bodiless GET; 307/308 resend method and body; credentials do not cross origins.
 *
 * @param isOurs whether an origin belongs to the pool: a redirect never leaves it.
 * @throws {HttpRedirectError} on a bad `Location`, or a 307/308 whose streamed body is gone.
 * @throws {HttpOriginMismatchError} when the target is not one of the pool's origins.
 *
 * @example
 * ```ts
 * const next = nextHop(hop, response, (origin) => origins.has(origin));
 * ```
 */
export function nextHop(hop: Hop, response: Response, isOurs: (origin: string) => boolean): Hop {
  const status = response.status;
  const origin = hop.url.origin;
  let url: URL;
  try {
    url = new URL(response.headers.get("location")!, hop.url);
  } catch {
    throw new HttpRedirectError(
      origin,
      status,
      `invalid Location ${JSON.stringify(response.headers.get("location"))}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new HttpRedirectError(origin, status, `redirect to unsupported scheme ${url.protocol}`);
  }
  if (!isOurs(url.origin)) throw new HttpOriginMismatchError(origin, url.href, "redirect to");
  url.hash = "";

  let { method, body } = hop;
  const headers = hop.headers.clone();
  if (
    (status === 303 && method !== "HEAD") ||
    ((status === 301 || status === 302) && method === "POST")
  ) {
    method = "GET";
    body = null;
    for (const name of BODY_HEADERS) headers.delete(name);
  } else if (body instanceof ReadableStream) {
    throw new HttpRedirectError(origin, status, `cannot resend a streamed body after a ${status}`);
  }
  if (url.origin !== origin) {
    for (const name of CREDENTIAL_HEADERS) headers.delete(name);
    headers.delete("host");
  }
  return { method, url, headers, body };
}

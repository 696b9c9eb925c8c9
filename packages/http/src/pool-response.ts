import { HttpParseError } from "./errors.ts";
import type { ResponseHead } from "./response-parser.ts";

const kUrl = Symbol("url");
const kRedirected = Symbol("redirected");

/**
 * A `Response` whose `url` and `redirected` can be set, as fetch's are; the constructor offers
 * no way to, and defining them per instance costs more than this subclass.
 *
 * @example
 * ```ts
 * const res = new PoolResponse(bytes, { status: 200 });
 * setLocation(res, "http://127.0.0.1:8080/a", false);
 * ```
 */
export class PoolResponse extends Response {
  declare [kUrl]: string | undefined;
  declare [kRedirected]: boolean | undefined;
}

// Accessors on the prototype: TypeScript types Response's as plain properties, so a subclass
// cannot declare them as getters.
Object.defineProperties(PoolResponse.prototype, {
  url: {
    get(this: PoolResponse): string {
      return this[kUrl] ?? "";
    },
    configurable: true,
  },
  redirected: {
    get(this: PoolResponse): boolean {
      return this[kRedirected] ?? false;
    },
    configurable: true,
  },
});

/**
 * Sets fetch's `url` and `redirected` on a response made by this package.
 *
 * @example
 * ```ts
 * setLocation(response, "http://127.0.0.1:8080/a", true).redirected; // true
 * ```
 */
export function setLocation(response: Response, url: string, redirected: boolean): Response {
  if (response instanceof PoolResponse) {
    response[kUrl] = url;
    if (redirected) response[kRedirected] = true;
  } else {
    Object.defineProperty(response, "url", { value: url });
    if (redirected) Object.defineProperty(response, "redirected", { value: true });
  }
  return response;
}

/**
 * A response with a parsed head. A header `Response` refuses (a name or value it cannot hold)
 * is the server's parse error.
 *
 * @throws {HttpParseError} when `Response` refuses the head.
 *
 * @example
 * ```ts
 * poolResponse(bytes, parseHead(buf, end, "GET", limits, origin), origin);
 * ```
 */
export function poolResponse(
  body: Uint8Array | ReadableStream<Uint8Array> | null,
  head: ResponseHead,
  origin: string,
): Response {
  try {
    head.init ??= {
      status: head.status,
      statusText: head.statusText,
      headers: new Headers(head.headers),
    };
    return new PoolResponse(body, head.init);
  } catch (error) {
    throw new HttpParseError(origin, `response rejected: ${(error as Error).message}`);
  }
}

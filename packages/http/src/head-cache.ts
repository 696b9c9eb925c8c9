import type { PreparedBody } from "./request.ts";
import type { RequestHeaders } from "./request-headers.ts";
import { serializeHead } from "./request-writer.ts";

/** Distinct heads kept per origin; past this the cache starts over (paths with ids in them). */
const MAX_ENTRIES = 256;

/**
 * The request heads of one origin. A request without headers or body has a head that depends
 * only on its method and target, and most traffic repeats a few of those: such heads are built
 * once, so a repeated GET writes a string that already exists instead of concatenating one.
 *
 * @example
 * ```ts
 * const heads = new HeadCache("127.0.0.1:8080");
 * heads.of("GET", "/api/tags", new RequestHeaders(), null); // "GET /api/tags HTTP/1.1\r\nhost: ..."
 * ```
 */
export class HeadCache {
  private readonly gets = new Map<string, string>();
  private readonly others = new Map<string, string>();

  /** @param host `host[:port]` as the Host header carries it. */
  constructor(readonly host: string) {}

  /** The serialized head of this request (see {@link serializeHead}). */
  of(method: string, target: string, headers: RequestHeaders, body: PreparedBody): string {
    if (body !== null || headers.names.length !== 0)
      return serializeHead(method, target, this.host, headers, body);
    const get = method === "GET";
    const map = get ? this.gets : this.others;
    const key = get ? target : `${method} ${target}`;
    let head = map.get(key);
    if (head === undefined) {
      if (map.size >= MAX_ENTRIES) map.clear();
      head = serializeHead(method, target, this.host, headers, body);
      map.set(key, head);
    }
    return head;
  }
}

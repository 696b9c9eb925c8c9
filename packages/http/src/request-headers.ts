import { HttpInvalidHeaderError } from "./errors.ts";

/**
 * RFC 9110 §5.6.2 tchar as a lookup table over ASCII: 1 for a token character.
 *
 * @example
 * ```ts
 * const c = text.charCodeAt(i);
 * if (c < 128 && TCHAR[c] === 1) i++; // still inside a header name
 * ```
 */
export const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

/**
 * True when `s` is a non-empty RFC 9110 token: a valid header name or method.
 *
 * @example
 * ```ts
 * isToken("x-request-id"); // true
 * isToken("bad name"); // false
 * ```
 */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}

/**
 * Why a header value cannot go on the wire, or `undefined` when it can. CR, LF and NUL would
 * let a value end the header line and inject others; characters above U+00FF have no byte.
 *
 * @example
 * ```ts
 * valueProblem("a\r\nb"); // "contains CR or LF"
 * ```
 */
export function valueProblem(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) return "contains CR or LF";
    if (c === 0) return "contains NUL";
    if (c > 0xff) return "contains a character above U+00FF";
    if (c < 0x20 && c !== 0x09) return "contains a control character";
    if (c === 0x7f) return "contains DEL";
  }
  return undefined;
}

// Headers the transport writes itself: a user value would contradict the framing it sends.
const MANAGED = new Set([
  "content-length",
  "transfer-encoding",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
]);

/**
 * Request headers in send order, with names kept as given and lower-cased for lookups.
 * Built from any `HeadersInit`, validated as it goes.
 *
 * @example
 * ```ts
 * const headers = RequestHeaders.from({ "x-id": "7" }, origin);
 * headers.get("x-id"); // "7"
 * ```
 */
export class RequestHeaders {
  readonly names: string[] = [];
  readonly lower: string[] = [];
  readonly values: string[] = [];
  /** Some value has a byte above 0x7F: the head must be encoded as latin-1, not written as text. */
  highBytes = false;

  /**
   * The headers of every request given none: one frozen instance instead of four objects per
   * request. Whoever adds a field to a request's headers copies them first if they are this one.
   */
  static readonly NONE: RequestHeaders = RequestHeaders.frozenEmpty();

  private static frozenEmpty(): RequestHeaders {
    const none = new RequestHeaders();
    Object.freeze(none.names);
    Object.freeze(none.lower);
    Object.freeze(none.values);
    return Object.freeze(none);
  }

  /**
   * @returns {@link RequestHeaders.NONE} for `undefined` and `null`.
   * @throws {HttpInvalidHeaderError} on a name that is not a token or a value with CR, LF, NUL
   *   or a character without a byte.
   */
  static from(init: unknown, origin: string): RequestHeaders {
    if (init === undefined || init === null) return RequestHeaders.NONE;
    const headers = new RequestHeaders();
    if (init instanceof Headers) {
      // Headers already validated and combined them; only the byte check is left.
      for (const [name, value] of init) headers.add(name, value, origin);
    } else if (Array.isArray(init)) {
      for (const pair of init) {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new HttpInvalidHeaderError(
            origin,
            String(pair),
            "each header must be a [name, value] pair",
          );
        }
        headers.add(String(pair[0]), String(pair[1]), origin);
      }
    } else if (typeof init === "object") {
      if (Symbol.iterator in init) {
        for (const pair of init as Iterable<[unknown, unknown]>) {
          headers.add(String(pair[0]), String(pair[1]), origin);
        }
      } else {
        for (const [name, value] of Object.entries(init)) {
          if (value === undefined) continue;
          headers.add(name, String(value), origin);
        }
      }
    } else {
      throw new HttpInvalidHeaderError(
        origin,
        String(init),
        "headers must be an object, array or Headers",
      );
    }
    return headers;
  }

  /** Appends after validating; managed framing headers are dropped (the transport writes its own). */
  add(name: string, rawValue: string, origin: string): void {
    if (!isToken(name)) throw new HttpInvalidHeaderError(origin, name, "name is not an HTTP token");
    // Leading and trailing whitespace is not part of a field value (fetch strips it too).
    const value = rawValue.replace(/^[\t ]+|[\t ]+$/g, "");
    const problem = valueProblem(value);
    if (problem !== undefined) throw new HttpInvalidHeaderError(origin, name, `value ${problem}`);
    if (!this.highBytes && /[^\x20-\x7e\t]/.test(value)) this.highBytes = true;
    const lower = name.toLowerCase();
    if (MANAGED.has(lower)) return;
    // Two Host fields must get a 400 (RFC 9112 §3.2), or worse: a proxy and the server behind it
    // may each believe a different one.
    if (lower === "host" && this.lower.includes("host")) {
      throw new HttpInvalidHeaderError(origin, name, "a request carries one Host field");
    }
    this.names.push(name);
    this.lower.push(lower);
    this.values.push(value);
  }

  get(lowerName: string): string | undefined {
    if (this.lower.length === 0) return undefined;
    const i = this.lower.indexOf(lowerName);
    return i < 0 ? undefined : this.values[i];
  }

  has(lowerName: string): boolean {
    return this.lower.includes(lowerName);
  }

  /** Removes every field of that name. */
  delete(lowerName: string): void {
    for (let i = this.lower.length - 1; i >= 0; i--) {
      if (this.lower[i] !== lowerName) continue;
      this.names.splice(i, 1);
      this.lower.splice(i, 1);
      this.values.splice(i, 1);
    }
  }

  /** Sets a header the library itself decided on (already known valid). */
  set(name: string, value: string): void {
    const lower = name.toLowerCase();
    this.delete(lower);
    this.names.push(name);
    this.lower.push(lower);
    this.values.push(value);
  }

  clone(): RequestHeaders {
    const copy = new RequestHeaders();
    copy.highBytes = this.highBytes;
    copy.names.push(...this.names);
    copy.lower.push(...this.lower);
    copy.values.push(...this.values);
    return copy;
  }

  /** As a `HeadersInit` for `fetch`. */
  toPairs(): [string, string][] {
    return this.names.map((name, i) => [name, this.values[i]!]);
  }
}

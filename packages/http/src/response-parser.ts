import { HttpParseError } from "./errors.ts";
import { TCHAR } from "./request-headers.ts";

/**
 * How the response body is delimited (RFC 9112 §6.3).
 *
 * @example
 * ```ts
 * if (head.framing === Framing.Chunked) decoder = new ChunkedDecoder(origin, 16_384);
 * ```
 */
export const Framing = {
  /** HEAD, 1xx, 204, 304: no body at all. */
  None: 0,
  /** Exactly `contentLength` bytes. */
  Length: 1,
  Chunked: 2,
  /** Until the server closes the connection. */
  Close: 3,
} as const;

/**
 * One of the {@link Framing} values.
 */
export type Framing = (typeof Framing)[keyof typeof Framing];

/**
 * A parsed status line and header section.
 */
export interface ResponseHead {
  status: number;
  statusText: string;
  /** 10 for HTTP/1.0, 11 for HTTP/1.1. */
  version: number;
  /** Header fields in arrival order, names as sent. */
  headers: [string, string][];
  framing: Framing;
  /** Body length for `Framing.Length`, else -1. */
  contentLength: number;
  /** The server allows another request on this connection. */
  keepAlive: boolean;
  /** From `Keep-Alive: timeout=N`, in ms (`0`: the server keeps no idle connection); -1 when absent. */
  keepAliveTimeoutMs: number;
  /** The `Content-Encoding` value, lower-cased; `""` when absent. */
  contentEncoding: string;
  /**
   * `Response`'s init for this head, made on its first response and shared by every later one
   * with the same head (see `ResponseHeads`): `Response` copies a ready `Headers` in about half
   * the time it takes to build one from pairs.
   */
  init: { status: number; statusText: string; headers: Headers } | undefined;
}

/**
 * Limits applied while parsing a head.
 */
export interface HeadLimits {
  maxHeaderBytes: number;
  maxHeaderCount: number;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Index just past the blank line that ends the head in `buf`, or -1 when it has not arrived yet.
 * A line may end in CRLF or in a lone LF (RFC 9112 §2.2 lets a recipient accept that, and Bun's
 * fetch does), so the head ends at the first `\n\n` or `\n\r\n`.
 *
 * @param from where to resume looking: a caller that already looked at `buf[0..n)` passes `n`.
 * @throws {HttpParseError} when the head passes `maxHeaderBytes`, or when a line starts with a
 *   CR that no LF follows (a CR is only ever half of a line end).
 *
 * @example
 * ```ts
 * const end = findHeadEnd(buf, 16_384, origin);
 * if (end >= 0) head = parseHead(buf, end, "GET", limits, origin);
 * ```
 */
export function findHeadEnd(buf: Buffer, maxHeaderBytes: number, origin: string, from = 0): number {
  // A line end is at most 3 bytes before `from` (LF CR, waiting for its LF): look again there.
  let i = from > 2 ? from - 2 : 0;
  const n = buf.length;
  for (;;) {
    const lf = buf.indexOf(LF, i);
    if (lf < 0 || lf + 1 >= n) break;
    const next = buf[lf + 1];
    let end = -1;
    if (next === LF) end = lf + 2;
    else if (next === CR) {
      if (lf + 2 >= n) break;
      if (buf[lf + 2] !== LF)
        throw new HttpParseError(origin, "a CR not followed by LF in the head");
      end = lf + 3;
    }
    if (end >= 0) {
      if (end > maxHeaderBytes) throw tooLarge(origin, maxHeaderBytes);
      return end;
    }
    i = lf + 1;
  }
  if (n > maxHeaderBytes) throw tooLarge(origin, maxHeaderBytes);
  return -1;
}

function tooLarge(origin: string, max: number): HttpParseError {
  return new HttpParseError(origin, `response head larger than maxHeaderBytes (${max})`);
}

/**
 * Parses `buf[0..end)`, a complete head as located by {@link findHeadEnd}, and decides the
 * body framing for a response to `method`.
 *
 * @throws {HttpParseError} on anything RFC 9112 does not allow.
 *
 * @example
 * ```ts
 * const head = parseHead(buf, findHeadEnd(buf, 16_384, origin), "GET", limits, origin);
 * head.status; // 200
 * ```
 */
export function parseHead(
  buf: Buffer,
  end: number,
  method: string,
  limits: HeadLimits,
  origin: string,
): ResponseHead {
  return parseHeadText(headText(buf, end), method, limits, origin);
}

/**
 * The latin-1 text of the head `buf[0..end)` up to its blank line, every line in it ending in
 * LF (with or without a CR before it): what {@link parseHeadText} reads.
 *
 * @example
 * ```ts
 * headText(Buffer.from("HTTP/1.1 204 No Content\r\n\r\n"), 27); // "HTTP/1.1 204 No Content\r\n"
 * ```
 */
export function headText(buf: Buffer, end: number): string {
  return buf.toString("latin1", 0, buf[end - 2] === CR ? end - 2 : end - 1);
}

/**
 * {@link parseHead} on the head's text, as {@link headText} returns it.
 *
 * @throws {HttpParseError} on anything RFC 9112 does not allow.
 *
 * @example
 * ```ts
 * parseHeadText("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n", "GET", limits, origin).contentLength; // 2
 * ```
 */
export function parseHeadText(
  text: string,
  method: string,
  limits: HeadLimits,
  origin: string,
): ResponseHead {
  // One pass over the latin-1 text with indexOf and char codes: this runs once per response.
  const len = text.length;
  const statusLf = text.indexOf("\n");
  const eol = lineEnd(text, statusLf);
  // HTTP-version SP 3DIGIT SP [reason]; servers that omit the SP before an empty reason are common.
  if (
    eol < 12 ||
    !text.startsWith("HTTP/1.") ||
    (text.charCodeAt(7) !== 0x30 && text.charCodeAt(7) !== 0x31) ||
    text.charCodeAt(8) !== 0x20 ||
    !isDigit(text.charCodeAt(9)) ||
    !isDigit(text.charCodeAt(10)) ||
    !isDigit(text.charCodeAt(11)) ||
    (eol > 12 && text.charCodeAt(12) !== 0x20)
  ) {
    throw new HttpParseError(
      origin,
      `bad status line ${JSON.stringify(text.slice(0, Math.min(eol < 0 ? 64 : eol, 64)))}`,
    );
  }
  const version = text.charCodeAt(7) === 0x31 ? 11 : 10;
  const status =
    (text.charCodeAt(9) - 0x30) * 100 +
    (text.charCodeAt(10) - 0x30) * 10 +
    (text.charCodeAt(11) - 0x30);
  if (status < 100) throw new HttpParseError(origin, `bad status code ${status}`);
  const statusText = eol > 13 ? text.slice(13, eol) : "";
  if (hasControl(text, 13, eol))
    throw new HttpParseError(origin, "control character in reason phrase");

  const headers: [string, string][] = [];
  let contentLength = -1;
  let transferEncoding: string | undefined;
  let connection = "";
  let keepAliveTimeoutMs = -1;
  let contentEncoding = "";
  let pos = statusLf + 1;
  while (pos < len) {
    // The name is checked on the flat head text: slices of it are slower to scan.
    let colon = pos;
    let c = text.charCodeAt(colon);
    while (c < 128 && TCHAR[c] === 1) c = text.charCodeAt(++colon);
    const lf = text.indexOf("\n", colon);
    const stop = lineEnd(text, lf);
    if (c !== 0x3a || colon === pos) throw headerLineError(text, pos, stop, origin);
    const name = text.slice(pos, colon);
    let vs = colon + 1;
    let ve = stop;
    while (vs < ve && isOws(text.charCodeAt(vs))) vs++;
    while (ve > vs && isOws(text.charCodeAt(ve - 1))) ve--;
    if (hasControl(text, vs, ve))
      throw new HttpParseError(origin, `control character in header ${name}`);
    const value = text.slice(vs, ve);
    if (headers.push([name, value]) > limits.maxHeaderCount) {
      throw new HttpParseError(
        origin,
        `more than maxHeaderCount (${limits.maxHeaderCount}) header fields`,
      );
    }
    switch (colon - pos) {
      case 10:
        if (sameName(text, pos, "connection")) connection += `,${value.toLowerCase()}`;
        else if (sameName(text, pos, "keep-alive")) keepAliveTimeoutMs = keepAliveTimeout(value);
        break;
      case 14:
        if (sameName(text, pos, "content-length"))
          contentLength = mergeContentLength(contentLength, text, vs, ve, origin);
        break;
      case 16:
        if (sameName(text, pos, "content-encoding")) {
          contentEncoding =
            contentEncoding === ""
              ? value.toLowerCase()
              : `${contentEncoding}, ${value.toLowerCase()}`;
        }
        break;
      case 17:
        if (sameName(text, pos, "transfer-encoding")) {
          transferEncoding =
            transferEncoding === undefined
              ? value.toLowerCase()
              : `${transferEncoding},${value.toLowerCase()}`;
        }
        break;
    }
    pos = lf + 1;
  }

  let keepAlive: boolean;
  if (connection === "") keepAlive = version === 11;
  else {
    const tokens = connection.split(",").map((t) => t.trim());
    keepAlive = version === 11 ? !tokens.includes("close") : tokens.includes("keep-alive");
  }
  let framing: Framing;
  if (method === "HEAD" || status < 200 || status === 204 || status === 304) {
    framing = Framing.None;
  } else if (transferEncoding !== undefined) {
    const codings = transferEncoding
      .split(",")
      .map((t) => t.trim())
      .filter((t) => t !== "");
    if (codings.at(-1) !== "chunked") {
      // RFC 9112 §6.3: without a final chunked, the body runs until the connection closes.
      framing = Framing.Close;
    } else if (codings.length !== 1) {
      throw new HttpParseError(
        origin,
        `unsupported transfer-coding ${JSON.stringify(transferEncoding)}`,
      );
    } else {
      framing = Framing.Chunked;
    }
    // Both headers present is a smuggling pattern: read this response, never reuse the socket.
    if (contentLength >= 0) keepAlive = false;
  } else if (contentLength >= 0) {
    framing = Framing.Length;
  } else {
    framing = Framing.Close;
  }
  if (framing === Framing.Close) keepAlive = false;
  if (framing !== Framing.Length) contentLength = -1;
  return {
    status,
    statusText,
    version,
    headers,
    framing,
    contentLength,
    keepAlive,
    keepAliveTimeoutMs,
    contentEncoding,
    init: undefined,
  };
}

/** Where the line whose LF is at `lf` ends: before that LF, and before a CR right before it. */
function lineEnd(text: string, lf: number): number {
  return text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** `text[vs..ve)`, a Content-Length value, merged with an earlier one (-1 when none). */
function mergeContentLength(
  current: number,
  text: string,
  vs: number,
  ve: number,
  origin: string,
): number {
  // The usual value, plain digits, is read in place.
  let n = 0;
  let i = vs;
  for (; i < ve && i - vs < 16; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
  }
  if (i === ve && i > vs && i - vs <= 15) {
    if (current >= 0 && current !== n)
      throw new HttpParseError(origin, "conflicting Content-Length values");
    return n;
  }
  // A list of identical values is allowed (RFC 9110 §8.6); anything else is refused.
  const value = text.slice(vs, ve);
  let result = current;
  for (const part of value.split(",")) {
    const v = part.trim();
    if (!/^\d{1,15}$/.test(v))
      throw new HttpParseError(origin, `bad Content-Length ${JSON.stringify(value.slice(0, 32))}`);
    const m = Number(v);
    if (result >= 0 && result !== m)
      throw new HttpParseError(origin, "conflicting Content-Length values");
    result = m;
  }
  return result;
}

/**
 * Whether the token at `text[pos..]` (already known to have the length of `lower`) is `lower`
 * in any case. `| 0x20` lower-cases letters and leaves `-` alone; other token characters
 * cannot alias a letter or `-` that way.
 */
function sameName(text: string, pos: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    if ((text.charCodeAt(pos + i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** The error for a header line whose name is missing, folded or not a token. */
function headerLineError(
  text: string,
  pos: number,
  lineEnd: number,
  origin: string,
): HttpParseError {
  const colon = text.indexOf(":", pos);
  if (colon <= pos || colon > lineEnd) {
    const first = text.charCodeAt(pos);
    const what =
      first === 0x20 || first === 0x09 ? "obsolete line folding" : "a header line without a name";
    return new HttpParseError(origin, what);
  }
  const name = text.slice(pos, colon);
  return new HttpParseError(origin, `bad header name ${JSON.stringify(name.slice(0, 64))}`);
}

/** Longest idle time a server's hint can ask for: what a timer can represent. */
const MAX_HINT_MS = 2 ** 31 - 1;

/** `timeout=N` of a Keep-Alive value in ms, -1 when absent or unreadable. */
function keepAliveTimeout(value: string): number {
  const m = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i.exec(value);
  // Clamped: a long run of digits is Infinity, which no idle timer accepts.
  return m === null ? -1 : Math.min(Number(m[1]) * 1000, MAX_HINT_MS);
}

/** True when `s[from..to)` holds a control character other than HTAB (RFC 9110 §5.5). */
function hasControl(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

import type { Connection } from "./connection.ts";
import { HttpInvalidRequestError } from "./errors.ts";
import type { HeadCache } from "./head-cache.ts";
import type { PreparedBody } from "./request.ts";
import type { RequestHeaders } from "./request-headers.ts";

/**
 * What the writer reports back to the exchange.
 */
export interface WriteEvents {
  /** The first request byte was accepted by the socket. */
  wrote(): void;
  /** A queued write finished: the peer is reading, so the stall clock restarts. */
  progress(): void;
  /** The whole request is on the wire. */
  done(): void;
  /** The request body stream failed. */
  failed(error: unknown): void;
  /** The socket was found closed while writing. */
  closed(): void;
  /** False once the exchange ended: stop writing. */
  active(): boolean;
}

/** Request bodies up to this size go out in the same write as the head. */
const COALESCE_BYTES = 16 * 1024;
const USER_AGENT = `@pool/http (Bun ${typeof Bun === "undefined" ? "" : Bun.version})`;
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);
const CRLF = Buffer.from("\r\n");
const LAST_CHUNK = Buffer.from("0\r\n\r\n");

const DEFAULT_ACCEPT = "accept: */*\r\n";
const DEFAULT_ENCODING = "accept-encoding: gzip, deflate, br\r\n";
const DEFAULT_AGENT = `user-agent: ${USER_AGENT}\r\n`;
const DEFAULTS = DEFAULT_ACCEPT + DEFAULT_ENCODING + DEFAULT_AGENT;

/**
 * Serializes the request head (RFC 9112 §3) with the framing the body needs: `Content-Length`
 * for bytes, `Transfer-Encoding: chunked` for a stream. Header values are latin-1, already
 * validated free of CR, LF and NUL.
 *
 * @example
 * ```ts
 * serializeHead("GET", "/", "127.0.0.1:8080", new RequestHeaders(), null);
 * // "GET / HTTP/1.1\r\nhost: 127.0.0.1:8080\r\naccept: ..."
 * ```
 */
export function serializeHead(
  method: string,
  target: string,
  host: string,
  headers: RequestHeaders,
  body: PreparedBody,
): string {
  let s = `${method} ${target} HTTP/1.1\r\n`;
  const { names, values } = headers;
  if (names.length === 0) {
    s += `host: ${host}\r\n${DEFAULTS}`;
  } else {
    if (!headers.has("host")) s += `host: ${host}\r\n`;
    for (let i = 0; i < names.length; i++) s += `${names[i]}: ${values[i]}\r\n`;
    if (!headers.has("accept")) s += DEFAULT_ACCEPT;
    if (!headers.has("accept-encoding")) s += DEFAULT_ENCODING;
    if (!headers.has("user-agent")) s += DEFAULT_AGENT;
  }
  if (body instanceof Uint8Array) s += `content-length: ${body.length}\r\n`;
  else if (body !== null) s += "transfer-encoding: chunked\r\n";
  else if (BODY_METHODS.has(method)) s += "content-length: 0\r\n";
  return `${s}\r\n`;
}

/**
 * Writes a request on `connection`, respecting backpressure: bytes the kernel does not take
 * wait for `drain`, and a streamed body is read one chunk at a time, only as fast as the socket
 * drains.
 *
 * @example
 * ```ts
 * writeRequest(connection, { method: "POST", target: "/api/chat", headers, body }, heads, events);
 * ```
 */
export function writeRequest(
  connection: Connection,
  request: { method: string; target: string; headers: RequestHeaders; body: PreparedBody },
  heads: HeadCache,
  events: WriteEvents,
): void {
  const { body } = request;
  const text = heads.of(request.method, request.target, request.headers, body);
  // An ASCII head goes out as a string, which the socket encodes without a Buffer of ours.
  const head: string | Uint8Array = request.headers.highBytes ? Buffer.from(text, "latin1") : text;
  if (body instanceof Uint8Array && body.length <= COALESCE_BYTES) {
    const whole = body.length === 0 ? head : Buffer.concat([asBytes(head), body]);
    return finishWith(connection, events, put(connection, whole, events));
  }
  if (!put(connection, head, events)) return;
  if (body instanceof Uint8Array)
    return finishWith(connection, events, put(connection, body, events));
  if (body === null) return finishWith(connection, events, true);
  void pump(connection, body, events);
}

function asBytes(head: string | Uint8Array): Uint8Array {
  return typeof head === "string" ? Buffer.from(head, "latin1") : head;
}

/** Writes; false when the socket is closed (already reported). */
function put(connection: Connection, data: string | Uint8Array, events: WriteEvents): boolean {
  const n = connection.write(data);
  if (n < 0) {
    events.closed();
    return false;
  }
  if (n > 0) events.wrote();
  return true;
}

function finishWith(connection: Connection, events: WriteEvents, ok: boolean): void {
  if (!ok) return;
  if (!connection.writing) return events.done();
  connection.waitDrain().then((drained) => {
    if (!drained || !events.active()) return;
    events.wrote();
    events.progress();
    events.done();
  });
}

async function pump(
  connection: Connection,
  body: ReadableStream<Uint8Array>,
  events: WriteEvents,
): Promise<void> {
  let reader: { read(): Promise<{ done: boolean; value?: unknown }>; cancel(): Promise<void> };
  try {
    reader = body.getReader();
  } catch (error) {
    return events.failed(
      new HttpInvalidRequestError(connection.target.origin, "request body stream is locked", error),
    );
  }
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (!events.active()) {
        reader.cancel().catch(() => {});
        return;
      }
      if (done) break;
      const chunk = toBytes(value);
      if (chunk === undefined) {
        reader.cancel().catch(() => {});
        return events.failed(
          new HttpInvalidRequestError(
            connection.target.origin,
            "request body stream must yield bytes",
          ),
        );
      }
      if (chunk.length === 0) continue;
      const framed = Buffer.concat([
        Buffer.from(`${chunk.length.toString(16)}\r\n`, "latin1"),
        chunk,
        CRLF,
      ]);
      if (!put(connection, framed, events)) return;
      if (connection.writing) {
        if (!(await connection.waitDrain()) || !events.active()) return;
        events.wrote();
      }
      events.progress();
    }
    if (!put(connection, LAST_CHUNK, events)) return;
    finishWith(connection, events, true);
  } catch (error) {
    if (!events.active()) return;
    events.failed(
      new HttpInvalidRequestError(connection.target.origin, "request body stream failed", error),
    );
  }
}

function toBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value))
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return undefined;
}

import { afterEach, describe, expect, it } from "bun:test";
import { PoolClosedError, PoolTimeoutError } from "@pool/core";
import {
  HttpConnectError,
  HttpPool,
  type HttpPoolOptions,
  HttpTimeoutError,
} from "../src/index.ts";
import { eventually, okResponse, startRawServer } from "./helpers.ts";

type Raw = ReturnType<typeof startRawServer>;

/** Routes: /never answers nothing, /stall sends a head and part of a body, /slow answers after
 * 300 ms, /late sends its body 10 ms after its head, /big sends 1 MiB, anything else answers at
 * once. */
function timingServer(): Raw {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const raw = startRawServer((socket, head) => {
    const path = head.split(" ")[1] ?? "";
    if (path === "/never") return;
    if (path === "/stall")
      return void socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial");
    if (path === "/slow") {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!socket.data.closed) socket.write(okResponse("slow"));
      }, 300);
      timers.add(t);
      return;
    }
    if (path === "/late") {
      socket.write("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n");
      const t = setTimeout(() => {
        timers.delete(t);
        if (!socket.data.closed) socket.write("late");
      }, 10);
      timers.add(t);
      return;
    }
    if (path === "/big") {
      const body = Buffer.alloc(1024 * 1024, 98);
      socket.write(
        Buffer.concat([
          Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n`),
          body,
        ]),
      );
      return;
    }
    socket.write(okResponse());
  });
  const stop = raw.stop;
  raw.stop = async () => {
    for (const t of timers) clearTimeout(t);
    await stop();
  };
  return raw;
}

for (const transport of ["socket", "fetch"] as const) {
  describe(`timeouts and aborts (${transport} transport)`, () => {
    let server: Raw | undefined;
    let http: HttpPool | undefined;
    afterEach(async () => {
      await http?.close({ timeoutMs: 200 });
      await server?.stop();
      http = undefined;
      server = undefined;
    });

    /** A timing server and a pool on it, both closed after the test. */
    function start(options: Omit<HttpPoolOptions, "origin" | "transport"> = {}): {
      pool: HttpPool;
      raw: Raw;
    } {
      const raw = timingServer();
      server = raw;
      const pool = new HttpPool({ origin: raw.origin, connections: 2, transport, ...options });
      http = pool;
      return { pool, raw };
    }

    /** Resolves once the pool has `inFlight` requests holding a connection and `pending` waiting. */
    function settledAt(pool: HttpPool, raw: Raw, inFlight: number, pending = 0): Promise<void> {
      return eventually(() => {
        const { requests } = pool.stats().origins[raw.origin]!;
        return requests.inFlight === inFlight && requests.pending === pending;
      });
    }

    /** close() must leave no socket open at the server. */
    async function closeAndCheck(pool: HttpPool, raw: Raw): Promise<void> {
      await pool.close({ timeoutMs: 200 });
      await eventually(() => raw.open() === 0, 2_000);
      expect(raw.open()).toBe(0);
    }

    it("fails with HTTP_HEADERS_TIMEOUT when no response head arrives", async () => {
      const { pool, raw } = start({ headersTimeoutMs: 150 });
      const error = await pool.fetch("/never").catch((e) => e);
      expect(error).toBeInstanceOf(HttpTimeoutError);
      expect(error.code).toBe("HTTP_HEADERS_TIMEOUT");
      expect(await (await pool.fetch("/ok")).text()).toBe("ok");
      await closeAndCheck(pool, raw);
    });

    it("fails the body with HTTP_BODY_TIMEOUT when it stalls", async () => {
      const { pool, raw } = start({ bodyTimeoutMs: 150 });
      const res = await pool.fetch("/stall");
      expect(res.status).toBe(200);
      const error = await res.text().catch((e) => e);
      expect(error).toBeInstanceOf(HttpTimeoutError);
      expect(error.code).toBe("HTTP_BODY_TIMEOUT");
      await closeAndCheck(pool, raw);
    });

    it("does not hang on more unread responses than connections", async () => {
      const { pool, raw } = start({ bodyTimeoutMs: 150 });
      const responses: Response[] = [];
      // Five 1 MiB bodies nobody reads, two connections: each waits for an unread one to time out.
      for (let i = 0; i < 5; i++) responses.push(await pool.fetch("/big"));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(await (await pool.fetch("/ok")).text()).toBe("ok");
      await closeAndCheck(pool, raw);
    });

    it("fails with POOL_TIMEOUT after acquireTimeoutMs in the queue", async () => {
      const { pool, raw } = start({ connections: 1, acquireTimeoutMs: 100 });
      const slow = pool.fetch("/slow");
      const error = await pool.fetch("/ok").catch((e) => e);
      expect(error).toBeInstanceOf(PoolTimeoutError);
      expect(error.code).toBe("POOL_TIMEOUT");
      expect(await (await slow).text()).toBe("slow");
      await closeAndCheck(pool, raw);
    });

    it("rejects with signal.reason at every stage and never reuses the socket", async () => {
      const { pool, raw } = start({ connections: 1 });

      const already = new AbortController();
      already.abort();
      const e0 = await pool.fetch("/ok", { signal: already.signal }).catch((e) => e);
      expect(e0).toBe(already.signal.reason);
      expect(e0.name).toBe("AbortError");

      // Waiting for the head, and queued behind it.
      const head = new AbortController();
      const p1 = pool.fetch("/never", { signal: head.signal });
      const queued = new AbortController();
      const p2 = pool.fetch("/ok", { signal: queued.signal });
      await settledAt(pool, raw, 1, 1);
      queued.abort();
      expect(await p2.catch((e) => e)).toBe(queued.signal.reason);
      const mine = new Error("mine");
      head.abort(mine);
      expect(await p1.catch((e) => e)).toBe(mine);

      // In the body.
      const body = new AbortController();
      const res = await pool.fetch("/stall", { signal: body.signal });
      const reading = res.text().catch((e) => e);
      body.abort();
      expect(await reading).toBe(body.signal.reason);

      expect(await (await pool.fetch("/ok")).text()).toBe("ok");
      if (transport === "socket") {
        const c = pool.stats().origins[raw.origin]!.connections!;
        expect(c.closed.aborted).toBe(2);
      }
      await closeAndCheck(pool, raw);
    });

    it("fails an unread body with signal.reason when the signal aborts after the head, as fetch does", async () => {
      const { pool, raw } = start({ connections: 1 });
      // /ok's body comes with its head, /late's after it: both are in before the abort.
      for (const path of ["/ok", "/late"]) {
        const controller = new AbortController();
        const res = await pool.fetch(path, { signal: controller.signal });
        await Bun.sleep(50);
        const reason = new Error("changed my mind");
        controller.abort(reason);
        expect(await res.text().catch((e) => e)).toBe(reason);
      }
      // A body read before the abort stays read, and the pool carries on.
      const controller = new AbortController();
      const read = await pool.fetch("/ok", { signal: controller.signal });
      expect(await read.text()).toBe("ok");
      controller.abort();
      expect(await (await pool.fetch("/ok")).text()).toBe("ok");
      await closeAndCheck(pool, raw);
    });

    it("cancelling a half-read body discards its socket", async () => {
      const { pool, raw } = start({ connections: 1 });
      const res = await pool.fetch("/big");
      const reader = res.body!.getReader();
      await reader.read();
      await reader.cancel();
      expect(await (await pool.fetch("/ok")).text()).toBe("ok");
      if (transport === "socket")
        expect(pool.stats().origins[raw.origin]!.connections!.created).toBe(2);
      await closeAndCheck(pool, raw);
    });

    it("lets requests in flight finish on close(), then refuses new ones", async () => {
      const { pool, raw } = start();
      const inFlight = pool.fetch("/slow");
      await settledAt(pool, raw, 1);
      const closing = pool.close({ timeoutMs: 2_000 });
      expect(await (await inFlight).text()).toBe("slow");
      await closing;
      const error = await pool.fetch("/ok").catch((e) => e);
      expect(error).toBeInstanceOf(PoolClosedError);
      await eventually(() => raw.open() === 0, 2_000);
    });

    it("fails requests still in flight with POOL_CLOSED when close() times out", async () => {
      const { pool, raw } = start();
      const stuck = pool.fetch("/never").catch((e) => e);
      await settledAt(pool, raw, 1);
      await pool.close({ timeoutMs: 50 });
      const error = await stuck;
      expect(error).toBeInstanceOf(PoolClosedError);
      expect(error.code).toBe("POOL_CLOSED");
      await eventually(() => raw.open() === 0, 2_000);
    });

    it("fails at once with HTTP_CONNECT_FAILED when nothing listens, not after acquireTimeoutMs", async () => {
      const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
      const origin = `http://127.0.0.1:${probe.port}`;
      probe.stop(true);
      // Had the request waited in the queue for a connection, it would fail with POOL_TIMEOUT.
      const pool = new HttpPool({ origin, transport, acquireTimeoutMs: 10_000 });
      http = pool;
      const error = await pool.fetch("/").catch((e) => e);
      expect(error).toBeInstanceOf(HttpConnectError);
      expect(error.code).toBe("HTTP_CONNECT_FAILED");
      expect(error.origin).toBe(origin);
    });
  });
}

describe("connectTimeoutMs (socket transport)", () => {
  it("fails with HTTP_CONNECT_TIMEOUT when the TLS handshake never completes", async () => {
    // A TCP server that accepts and says nothing: TCP connects, TLS waits for a ServerHello.
    const silent = startRawServer(() => {});
    const origin = silent.origin.replace("http:", "https:");
    const pool = new HttpPool({ origin, connectTimeoutMs: 150 });
    try {
      const error = await pool.fetch("/").catch((e) => e);
      expect(error).toBeInstanceOf(HttpTimeoutError);
      expect(error.code).toBe("HTTP_CONNECT_TIMEOUT");
      await pool.close();
      await eventually(() => silent.open() === 0, 2_000);
    } finally {
      await pool.close();
      await silent.stop();
    }
  });
});

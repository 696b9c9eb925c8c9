import { afterEach, describe, expect, it } from "bun:test";
import { PoolClosedError } from "@pool/core";
import { HttpPool, HttpSocketError } from "../src/index.ts";
import { eventually, okResponse, startRawServer } from "./helpers.ts";

type Raw = ReturnType<typeof startRawServer>;

for (const transport of ["socket", "fetch"] as const) {
  describe(`retries option (${transport} transport)`, () => {
    let server: Raw | undefined;
    let http: HttpPool | undefined;
    afterEach(async () => {
      await http?.close({ timeoutMs: 500 });
      await server?.stop();
      http = undefined;
      server = undefined;
    });

    /** Answers the first `failures` requests with `status` (and `extra` headers), then 200. */
    function flaky(
      failures: number,
      status = 503,
      extra = "retry-after: 0\r\n",
    ): { raw: Raw; seen: () => number } {
      let seen = 0;
      const raw = startRawServer((socket) => {
        seen++;
        if (seen <= failures)
          socket.write(`HTTP/1.1 ${status} Busy\r\ncontent-length: 4\r\n${extra}\r\nbusy`);
        else socket.write(okResponse());
      });
      return { raw, seen: () => seen };
    }

    /** A pool on `server` with `retries`, backing off a few ms at most. */
    function retrying(retries: number): HttpPool {
      http = new HttpPool({
        origin: server!.origin,
        transport,
        retries,
        retryDelayMs: 1,
        retryMaxDelayMs: 10,
      });
      return http;
    }

    it("retries idempotent requests on 502, 503 and 504 up to `retries` times", async () => {
      for (const status of [502, 503, 504]) {
        const f = flaky(2, status);
        server = f.raw;
        const pool = retrying(2);
        const res = await pool.fetch("/x");
        expect([res.status, await res.text()]).toEqual([200, "ok"]);
        expect(f.seen()).toBe(3);
        expect(pool.stats().origins[server.origin]!.requests.retries).toBe(2);
        await pool.close();
        await server.stop();
      }
    });

    it("returns the last error status when retries run out", async () => {
      const f = flaky(5);
      server = f.raw;
      const res = await retrying(2).fetch("/x");
      expect([res.status, await res.text()]).toEqual([503, "busy"]);
      expect(f.seen()).toBe(3);
    });

    it("does not retry by default", async () => {
      const f = flaky(1);
      server = f.raw;
      const res = await retrying(0).fetch("/x");
      expect([res.status, await res.text()]).toEqual([503, "busy"]);
      expect(f.seen()).toBe(1);
    });

    it("never retries a POST on a 503", async () => {
      const f = flaky(1);
      server = f.raw;
      const res = await retrying(3).fetch("/x", { method: "POST", body: "x" });
      expect([res.status, await res.text()]).toEqual([503, "busy"]);
      expect(f.seen()).toBe(1);
    });

    it("returns a 503 whose Retry-After is longer than retryMaxDelayMs instead of waiting", async () => {
      const f = flaky(1, 503, "retry-after: 3600\r\n");
      server = f.raw;
      const res = await retrying(3).fetch("/x");
      expect([res.status, await res.text()]).toEqual([503, "busy"]);
      expect(f.seen()).toBe(1);
    });

    it("ends a retry's backoff with POOL_CLOSED when the pool closes (regression: it waited it out)", async () => {
      const f = flaky(5, 503, "retry-after: 8\r\n");
      server = f.raw;
      const pool = new HttpPool({
        origin: server.origin,
        transport,
        retries: 2,
        retryMaxDelayMs: 10_000,
      });
      http = pool;
      const pending = pool.fetch("/x").catch((e) => e);
      await eventually(() => f.seen() === 1); // now waiting out the server's 8 s
      await pool.close();
      const outcome = await Promise.race([pending, Bun.sleep(2_000).then(() => "still waiting")]);
      expect(outcome).toBeInstanceOf(PoolClosedError);
      expect(f.seen()).toBe(1);
    });

    it("retries a GET after a dropped connection but never a POST", async () => {
      let seen = 0;
      server = startRawServer((socket) => {
        seen++;
        // Every odd request: close without a response, on a fresh connection.
        if (seen % 2 === 1) socket.end();
        else socket.write(okResponse("ok", "connection: close\r\n"));
      });
      const pool = retrying(1);
      expect(await (await pool.fetch("/x")).text()).toBe("ok");
      expect(seen).toBe(2);
      const error = await pool.fetch("/x", { method: "POST", body: "once" }).catch((e) => e);
      expect(error).toBeInstanceOf(HttpSocketError);
      expect(error.code).toBe("HTTP_SOCKET_CLOSED");
      expect(seen).toBe(3);
    });
  });
}

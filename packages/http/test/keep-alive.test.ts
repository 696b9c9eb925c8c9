import { afterEach, describe, expect, it } from "bun:test";
import { HttpPool, HttpSocketError } from "../src/index.ts";
import { okResponse, startRawServer } from "./helpers.ts";

type Raw = ReturnType<typeof startRawServer>;

describe("keep-alive reuse against servers that close connections", () => {
  let server: Raw | undefined;
  let http: HttpPool | undefined;
  afterEach(async () => {
    await http?.close({ timeoutMs: 1_000 });
    await server?.stop();
    http = undefined;
    server = undefined;
  });

  async function burst(
    pool: HttpPool,
    count: number,
    concurrency: number,
    init?: RequestInit,
  ): Promise<number> {
    let next = 0;
    let ok = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < count) {
          const res = await pool.fetch("/item", init);
          if ((await res.text()) === "ok") ok++;
        }
      }),
    );
    return ok;
  }

  it("survives a server that closes idle connections after 1 s, with pauses around that second", async () => {
    const timers = new Map<number, ReturnType<typeof setTimeout>>();
    server = startRawServer((socket, _head, conn) => {
      clearTimeout(timers.get(conn.id));
      socket.write(okResponse());
      // No Keep-Alive header: the client cannot know, it can only see the close or lose the race.
      timers.set(
        conn.id,
        setTimeout(() => socket.end(), 1_000),
      );
    });
    const pool = new HttpPool({ origin: server.origin, connections: 8 });
    http = pool;
    let ok = 0;
    for (const pauseMs of [990, 1_010, 1_000]) {
      ok += await burst(pool, 600, 8);
      await Bun.sleep(pauseMs);
    }
    ok += await burst(pool, 600, 8);
    for (const t of timers.values()) clearTimeout(t);
    expect(ok).toBe(2_400);
    const stats = pool.stats().origins[server.origin]!;
    expect(stats.requests.failed).toBe(0);
    expect(stats.connections!.created).toBeGreaterThan(8);
  }, 15_000);

  it("retries GETs safely on a server that closes after every 5 requests", async () => {
    // On the 6th request of a connection the server closes without answering: the request was
    // written to a reused socket and no response byte came back.
    server = startRawServer((socket, _head, conn) => {
      if (conn.requests > 5) socket.end();
      else socket.write(okResponse());
    });
    const pool = new HttpPool({ origin: server.origin, connections: 4 });
    http = pool;
    expect(await burst(pool, 2_000, 8)).toBe(2_000);
    const stats = pool.stats().origins[server.origin]!;
    expect(stats.requests.retries).toBeGreaterThan(0);
    expect(stats.requests.failed).toBe(0);
  });

  it("never resends a POST that was written to a socket the server then closed", async () => {
    let posts = 0;
    server = startRawServer((socket, head, conn) => {
      if (head.startsWith("POST")) posts++;
      if (conn.requests > 5) socket.end();
      else socket.write(okResponse());
    });
    const pool = new HttpPool({ origin: server.origin, connections: 1 });
    http = pool;
    let sent = 0;
    let ok = 0;
    const errors: unknown[] = [];
    for (let i = 0; i < 12; i++) {
      sent++;
      try {
        const res = await pool.fetch("/item", { method: "POST", body: `n=${i}` });
        if ((await res.text()) === "ok") ok++;
      } catch (error) {
        errors.push(error);
      }
    }
    expect(posts).toBe(sent);
    expect(ok + errors.length).toBe(sent);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error).toBeInstanceOf(HttpSocketError);
      expect((error as HttpSocketError).code).toBe("HTTP_SOCKET_CLOSED");
      expect((error as HttpSocketError).responseStarted).toBe(false);
    }
  });

  it("closes the connection after a `Connection: close` response", async () => {
    server = startRawServer((socket, _head, conn) => {
      socket.write(okResponse("ok", conn.requests % 5 === 0 ? "connection: close\r\n" : ""));
    });
    const pool = new HttpPool({ origin: server.origin, connections: 1 });
    http = pool;
    expect(await burst(pool, 20, 1)).toBe(20);
    const stats = pool.stats().origins[server.origin]!;
    expect(stats.connections!.created).toBe(4);
    expect(stats.connections!.closed.connectionClose).toBe(4);
    expect(stats.requests.retries).toBe(0);
  });

  it("drops idle sockets before the server's Keep-Alive timeout instead of racing it", async () => {
    const timers: ReturnType<typeof setTimeout>[] = [];
    server = startRawServer((socket) => {
      socket.write(okResponse("ok", "keep-alive: timeout=1\r\n"));
      timers.push(setTimeout(() => socket.end(), 1_000));
    });
    const pool = new HttpPool({ origin: server.origin, connections: 2 });
    http = pool;
    expect(await burst(pool, 10, 2)).toBe(10);
    await Bun.sleep(700);
    expect(await burst(pool, 10, 2)).toBe(10);
    for (const t of timers) clearTimeout(t);
    const stats = pool.stats().origins[server.origin]!;
    expect(stats.requests.retries).toBe(0);
    expect(stats.connections!.closed.keepAliveTimeout).toBeGreaterThan(0);
  });

  it("applies each response's Keep-Alive timeout, and keepAliveTimeoutMs again once the hint is gone", async () => {
    // Hints only where the path asks for it; the server itself never closes.
    server = startRawServer((socket, head) => {
      const hinted = head.startsWith("GET /hint ");
      socket.write(okResponse("ok", hinted ? "keep-alive: timeout=1\r\n" : ""));
    });
    const pool = new HttpPool({ origin: server.origin, connections: 1 });
    http = pool;
    const get = async (path: string) => (await pool.fetch(path)).text();
    const connections = () => pool.stats().origins[server!.origin]!.connections!;
    await get("/hint"); // idle at most 500 ms from here
    await get("/plain"); // back to keepAliveTimeoutMs (4 s)
    await Bun.sleep(700);
    await get("/hint");
    expect(connections().created).toBe(1);
    await Bun.sleep(700);
    await get("/plain");
    expect(connections().created).toBe(2);
    expect(connections().closed.keepAliveTimeout).toBe(1);
  });

  it("does not reuse a socket after `Keep-Alive: timeout=0`: the server keeps no idle connection", async () => {
    server = startRawServer((socket) =>
      socket.write(okResponse("ok", "keep-alive: timeout=0\r\n")),
    );
    const pool = new HttpPool({ origin: server.origin, connections: 1 });
    http = pool;
    expect(await burst(pool, 3, 1)).toBe(3);
    const connections = pool.stats().origins[server.origin]!.connections!;
    expect(server.opened()).toBe(3);
    expect(connections.closed.keepAliveTimeout).toBe(3);
  });

  it("keeps its socket usable after a Keep-Alive timeout too long for a timer (regression: never released)", async () => {
    const huge = `keep-alive: timeout=${"9".repeat(400)}\r\n`;
    server = startRawServer((socket) => socket.write(okResponse("ok", huge)));
    // keepAliveTimeoutMs: 0 leaves the server's hint as the only limit.
    const pool = new HttpPool({
      origin: server.origin,
      connections: 1,
      keepAliveTimeoutMs: 0,
      acquireTimeoutMs: 2_000,
    });
    http = pool;
    expect(await burst(pool, 3, 1)).toBe(3);
    expect(server.opened()).toBe(1);
  });

  it("retires connections after maxRequestsPerConnection and maxLifetimeMs", async () => {
    server = startRawServer((socket) => socket.write(okResponse()));
    const pool = new HttpPool({
      origin: server.origin,
      connections: 1,
      maxRequestsPerConnection: 3,
    });
    http = pool;
    expect(await burst(pool, 9, 1)).toBe(9);
    expect(pool.stats().origins[server.origin]!.connections!.created).toBe(3);
    expect(
      pool.stats().origins[server.origin]!.connections!.closed.maxRequests,
    ).toBeGreaterThanOrEqual(2);
    await pool.close();
    const aging = new HttpPool({ origin: server.origin, connections: 1, maxLifetimeMs: 100 });
    http = aging;
    expect(await burst(aging, 2, 1)).toBe(2);
    await Bun.sleep(150);
    expect(await burst(aging, 2, 1)).toBe(2);
    const s = aging.stats().origins[server.origin]!.connections!;
    expect(s.created).toBe(2);
    expect(s.closed.lifetime).toBe(1);
  });
});

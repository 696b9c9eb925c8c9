import { afterEach, describe, expect, it } from "bun:test";
import { PoolInvalidOptionError } from "@pool/core";
import { HttpPool } from "../src/index.ts";
import {
  eventually,
  okResponse,
  startNodeServer,
  startRawServer,
  type TestServer,
} from "./helpers.ts";

describe("HttpPool connections", () => {
  let server: TestServer | undefined;
  let http: HttpPool | undefined;
  afterEach(async () => {
    await http?.close({ timeoutMs: 1_000 });
    await server?.stop();
    http = undefined;
    server = undefined;
  });

  for (const transport of ["socket", "fetch"] as const) {
    it(`never opens more than \`connections\` and opens exactly that many under load (${transport})`, async () => {
      server = await startNodeServer();
      const pool = new HttpPool({ origin: server.origin, connections: 6, transport });
      http = pool;
      let peak = 0;
      let sampling = true;
      // One sample at a time, awaited before the server stops: none is left in flight.
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, (await server!.connections!()).open);
          await Bun.sleep(5);
        }
      })();
      try {
        // 600 requests, 64 at a time, each held ~2 ms by the server: the pool stays saturated.
        let next = 0;
        await Promise.all(
          Array.from({ length: 64 }, async () => {
            while (next++ < 600) {
              const res = await pool.fetch("/slow?ms=2");
              expect(await res.text()).toBe("slow");
            }
          }),
        );
      } finally {
        sampling = false;
        await sampler;
      }
      const counts = await server.connections!();
      expect(counts.opened).toBe(6);
      expect(peak).toBeLessThanOrEqual(6);
      const stats = pool.stats().origins[server.origin]!;
      expect(stats.requests.total).toBe(600);
      if (transport === "socket") {
        expect(stats.connections!.created).toBe(6);
        expect(stats.connections!.reused).toBe(594);
      }
    });
  }

  it("closes every socket on close()", async () => {
    server = await startNodeServer();
    const pool = new HttpPool({ origin: server.origin, connections: 4 });
    http = pool;
    await Promise.all(Array.from({ length: 8 }, () => pool.fetch("/echo").then((r) => r.text())));
    expect((await server.connections!()).open).toBe(4);
    await pool.close();
    const deadline = performance.now() + 2_000;
    while ((await server.connections!()).open > 0 && performance.now() < deadline)
      await Bun.sleep(10);
    expect((await server.connections!()).open).toBe(0);
    expect(pool.stats().origins[server.origin]!.connections!.size).toBe(0);
    const error = await pool.fetch("/echo").catch((e) => e);
    expect(error.code).toBe("POOL_CLOSED");
  });

  it("reports @pool/core's stats names: size, idle, borrowed, creating, pending", async () => {
    // Holds the answers until the figures were read under load.
    let hold = true;
    const held: Array<() => void> = [];
    const raw = startRawServer((socket) => {
      const answer = () => socket.write(okResponse());
      if (hold) held.push(answer);
      else answer();
    });
    server = raw;
    const pool = new HttpPool({ origin: raw.origin, connections: 2 });
    http = pool;
    const responses = Array.from({ length: 3 }, () => pool.fetch("/").then((r) => r.text()));
    await eventually(() => held.length === 2);
    const busy = pool.stats().origins[raw.origin]!;
    expect(busy.connections).toMatchObject({ size: 2, idle: 0, borrowed: 2, creating: 0 });
    expect(busy.requests).toMatchObject({ inFlight: 2, pending: 1 });
    hold = false;
    for (const answer of held) answer();
    expect(await Promise.all(responses)).toEqual(["ok", "ok", "ok"]);
    const idle = pool.stats().origins[raw.origin]!;
    expect(idle.connections).toMatchObject({ size: 2, idle: 2, borrowed: 0, creating: 0 });
    expect(idle.requests).toMatchObject({ inFlight: 0, pending: 0 });
  });

  it("refuses bad close() options with POOL_INVALID_OPTION and stays open and closable (regression)", async () => {
    const raw = startRawServer((socket) => socket.write(okResponse()));
    const pool = new HttpPool({ origin: raw.origin });
    try {
      expect(await (await pool.fetch("/")).text()).toBe("ok");
      const bad: Array<[unknown, string]> = [
        [{ timeoutMs: -1 }, "timeoutMs"],
        [{ timeoutMs: "soon" }, "timeoutMs"],
        [{ timeout: 5_000 }, "timeout"],
        [null, "options"],
      ];
      for (const [options, option] of bad) {
        const error = await pool.close(options as never).catch((e) => e);
        expect(error).toBeInstanceOf(PoolInvalidOptionError);
        expect(error.option).toBe(option);
      }
      expect(pool.closed).toBe(false);
      expect(await (await pool.fetch("/")).text()).toBe("ok");
      await pool.close({ timeoutMs: 100 });
      await eventually(() => raw.open() === 0);
    } finally {
      await pool.close();
      await raw.stop();
    }
  });
});

import { afterEach, describe, expect, it } from "bun:test";
import { HttpNoHealthyOriginError, HttpOriginMismatchError, HttpPool } from "../src/index.ts";
import { eventually } from "./helpers.ts";

type Server = ReturnType<typeof Bun.serve>;

/** An upstream that answers /who with its name and holds /hold until `release()`. */
function upstream(name: string, port = 0): { server: Server; release: () => void } {
  let open: () => void = () => {};
  let gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    async fetch(req) {
      if (new URL(req.url).pathname === "/hold") await gate;
      return new Response(name);
    },
  });
  return {
    server,
    release: () => {
      open();
      gate = Promise.resolve();
    },
  };
}

for (const transport of ["socket", "fetch"] as const) {
  describe(`HttpPool with several origins (${transport} transport)`, () => {
    const started: Server[] = [];
    let http: HttpPool | undefined;
    afterEach(async () => {
      await http?.close({ timeoutMs: 500 });
      for (const s of started.splice(0)) s.stop(true);
      http = undefined;
    });

    function start(name: string, port = 0) {
      const u = upstream(name, port);
      started.push(u.server);
      return { ...u, origin: `http://127.0.0.1:${u.server.port}` };
    }

    it("sends each path to the origin with the fewest requests pending", async () => {
      const a = start("a");
      const b = start("b");
      const c = start("c");
      const pool = new HttpPool({ origins: [a.origin, b.origin, c.origin], transport });
      http = pool;
      const held = pool.fetch("/hold");
      const holding = () =>
        Object.values(pool.stats().origins).some((s) => s.requests.inFlight === 1);
      await eventually(holding);
      const busy = Object.values(pool.stats().origins).find(
        (s) => s.requests.inFlight === 1,
      )!.origin;
      const names: string[] = [];
      for (let i = 0; i < 6; i++) names.push(await (await pool.fetch("/who")).text());
      const busyName = ["a", "b", "c"][[a, b, c].findIndex((u) => u.origin === busy)];
      expect(names).toHaveLength(6);
      expect(names).not.toContain(busyName);
      const counts = new Map<string, number>();
      for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
      expect([...counts.values()]).toEqual([3, 3]);
      for (const u of [a, b, c]) u.release();
      await (await held).text();
    });

    it("sends an absolute URL to its own origin and refuses others", async () => {
      const a = start("a");
      const b = start("b");
      const pool = new HttpPool({ origins: [a.origin, b.origin], transport });
      http = pool;
      for (let i = 0; i < 3; i++)
        expect(await (await pool.fetch(`${b.origin}/who`)).text()).toBe("b");
      const error = await pool.fetch("http://127.0.0.1:1/who").catch((e) => e);
      expect(error).toBeInstanceOf(HttpOriginMismatchError);
    });

    it("takes a failing origin out, keeps serving from the others, and probes it back", async () => {
      const a = start("a");
      const b = start("b");
      const c = start("c");
      const cPort = c.server.port;
      c.server.stop(true);
      const pool = new HttpPool({
        origins: [a.origin, b.origin, c.origin],
        transport,
        healthCheck: { path: "/who", intervalMs: 50, unhealthyAfter: 2 },
      });
      http = pool;
      const names: string[] = [];
      for (let i = 0; i < 12; i++) names.push(await (await pool.fetch("/who")).text());
      expect(names.every((n) => n === "a" || n === "b")).toBe(true);
      expect(pool.stats().origins[c.origin]!.healthy).toBe(false);
      start("c", cPort);
      await eventually(() => pool.stats().origins[c.origin]!.healthy, 5_000);
      const after: string[] = [];
      for (let i = 0; i < 6; i++) after.push(await (await pool.fetch("/who")).text());
      expect(after).toContain("c");
    });

    it("drops Authorization and Cookie on a redirect to another of its origins, not on the same one", async () => {
      const seen = new Map<string, Array<string | null>>();
      /** Answers /away with a 307 to `away()`, /stay with a 307 to /seen, and records /seen. */
      const serve = (name: string, away: () => string) => {
        const server = Bun.serve({
          hostname: "127.0.0.1",
          port: 0,
          fetch(req) {
            const path = new URL(req.url).pathname;
            if (path === "/away") return Response.redirect(away(), 307);
            if (path === "/stay")
              return new Response(null, { status: 307, headers: { location: "/seen" } });
            const h = req.headers;
            seen.set(name, [h.get("authorization"), h.get("cookie"), h.get("x-other")]);
            return new Response(name);
          },
        });
        started.push(server);
        return `http://127.0.0.1:${server.port}`;
      };
      const b = serve("b", () => "");
      const a = serve("a", () => `${b}/seen`);
      const pool = new HttpPool({ origins: [a, b], transport });
      http = pool;
      const headers = { authorization: "Bearer secret", cookie: "sid=1", "x-other": "kept" };
      expect(await (await pool.fetch(`${a}/away`, { headers })).text()).toBe("b");
      expect(seen.get("b")).toEqual([null, null, "kept"]);
      expect(await (await pool.fetch(`${a}/stay`, { headers })).text()).toBe("a");
      expect(seen.get("a")).toEqual(["Bearer secret", "sid=1", "kept"]);
    });

    it("fails fast with HTTP_NO_HEALTHY_ORIGIN when every origin is down", async () => {
      const a = start("a");
      const b = start("b");
      const pool = new HttpPool({
        origins: [a.origin, b.origin],
        transport,
        healthCheck: { intervalMs: 60_000, unhealthyAfter: 1 },
      });
      http = pool;
      expect(await (await pool.fetch("/who")).text()).toMatch(/^[ab]$/);
      a.server.stop(true);
      b.server.stop(true);
      const first = await pool.fetch("/who").catch((e) => e);
      expect(first.code).toBe("HTTP_CONNECT_FAILED");
      const error = await pool.fetch("/who").catch((e) => e);
      expect(error).toBeInstanceOf(HttpNoHealthyOriginError);
      expect(error.code).toBe("HTTP_NO_HEALTHY_ORIGIN");
    });
  });
}

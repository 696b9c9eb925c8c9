import { afterEach, describe, expect, it } from "bun:test";
import { HttpPool } from "../src/index.ts";

// close() waits for the requests it admitted: one queued for a socket, or between the hops of
// a redirect, is part of a request taken before close(), not a new one to refuse.
describe("HttpPool.close() and requests admitted before it", () => {
  let server: ReturnType<typeof Bun.serve> | undefined;
  afterEach(() => {
    server?.stop(true);
    server = undefined;
  });

  function serve(): string {
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        const path = new URL(req.url).pathname;
        if (path === "/slow-redirect") {
          await Bun.sleep(60);
          return new Response(null, { status: 302, headers: { location: "/target" } });
        }
        if (path === "/slow") await Bun.sleep(60);
        return new Response(`done ${path}`);
      },
    });
    return `http://127.0.0.1:${server.port}`;
  }

  for (const transport of ["socket", "fetch"] as const) {
    it(`follows a redirect whose first hop was in flight (${transport})`, async () => {
      const http = new HttpPool({ origin: serve(), transport });
      const pending = http.fetch("/slow-redirect");
      await Bun.sleep(10);
      const closed = http.close({ timeoutMs: 5_000 });
      const response = await pending;
      expect(response.status).toBe(200);
      expect(response.redirected).toBe(true);
      expect(await response.text()).toBe("done /target");
      await closed;
    });

    it(`serves a request that was queued for the only connection (${transport})`, async () => {
      const http = new HttpPool({ origin: serve(), connections: 1, transport });
      const first = http.fetch("/slow");
      const queued = http.fetch("/queued");
      await Bun.sleep(10);
      const closed = http.close({ timeoutMs: 5_000 });
      expect(await (await first).text()).toBe("done /slow");
      expect(await (await queued).text()).toBe("done /queued");
      await closed;
      const refused = await http.fetch("/late").catch((e: { code?: string }) => e);
      expect((refused as { code?: string }).code).toBe("POOL_CLOSED");
    });

    it(`still refuses a request made after close() (${transport})`, async () => {
      const http = new HttpPool({ origin: serve(), transport });
      const pending = http.fetch("/slow");
      const closed = http.close({ timeoutMs: 5_000 });
      const refused = await http.fetch("/new").catch((e: { code?: string }) => e);
      expect((refused as { code?: string }).code).toBe("POOL_CLOSED");
      expect(await (await pending).text()).toBe("done /slow");
      await closed;
    });

    it(`aborts what is still waiting when the grace period ends (${transport})`, async () => {
      const http = new HttpPool({ origin: serve(), connections: 1, transport });
      const first = http.fetch("/slow");
      const queued = http.fetch("/queued");
      first.catch(() => {});
      queued.catch(() => {});
      await Bun.sleep(10);
      await http.close({ timeoutMs: 0 });
      const errors = await Promise.all(
        [first, queued].map((p) =>
          p.then(
            () => undefined,
            (e: { code?: string }) => e.code,
          ),
        ),
      );
      expect(errors.every((code) => code !== undefined)).toBe(true);
    });
  }
});

import { afterEach, describe, expect, it } from "bun:test";
import { HttpPool } from "../src/index.ts";
import { eventually, startNodeServer, type TestServer } from "./helpers.ts";

describe("http.fetch.preconnect", () => {
  let server: TestServer | undefined;
  let http: HttpPool | undefined;
  afterEach(async () => {
    await http?.close({ timeoutMs: 1_000 });
    await server?.stop();
    http = undefined;
    server = undefined;
  });

  it("makes the pool's fetch a typeof fetch, for clients that ask for one", () => {
    http = new HttpPool({ origin: "http://127.0.0.1:9" });
    const asGlobal: typeof fetch = http.fetch;
    expect(typeof asGlobal.preconnect).toBe("function");
  });

  it("opens one socket ahead of the first request, and the request reuses it", async () => {
    server = await startNodeServer();
    const pool = new HttpPool({ origin: server.origin, connections: 4 });
    http = pool;
    pool.fetch.preconnect(server.origin);
    pool.fetch.preconnect(`${server.origin}/a/path`);
    await eventually(() => pool.stats().origins[server!.origin]!.connections!.idle === 1);
    expect((await server.connections!()).opened).toBe(1);
    expect(await (await pool.fetch("/echo")).text()).toBeString();
    const stats = pool.stats().origins[server.origin]!.connections!;
    expect(stats.created).toBe(1);
    expect(stats.reused).toBe(1);
  });

  it("ignores an origin that is not the pool's, a bad URL, and a closed pool", async () => {
    server = await startNodeServer();
    const pool = new HttpPool({ origin: server.origin });
    http = pool;
    pool.fetch.preconnect("http://127.0.0.1:9");
    pool.fetch.preconnect("http://[not-a-host");
    await Bun.sleep(50);
    expect((await server.connections!()).opened).toBe(0);
    await pool.close();
    pool.fetch.preconnect(server.origin);
    await Bun.sleep(50);
    expect((await server.connections!()).opened).toBe(0);
  });

  it("swallows a failed connect: the next request reports its own error", async () => {
    const pool = new HttpPool({ origin: "http://127.0.0.1:9", connectTimeoutMs: 500 });
    http = pool;
    pool.fetch.preconnect("http://127.0.0.1:9");
    await Bun.sleep(50);
    const error = await pool.fetch("/").catch((e: { code?: string }) => e);
    expect((error as { code?: string }).code).toBeString();
  });
});

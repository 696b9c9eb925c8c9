import { describe, expect, it } from "bun:test";
import { createApi, type ExampleApp } from "@app/kit";
import { startStandin } from "@app/ollama-standin";
import { createRoute, z } from "@hono/zod-openapi";
import { searchOnFixture, tempServer } from "../test/temp-server.ts";
import type { AppEntry } from "./apps.ts";
import type { Health } from "./health.ts";

/** A second app for the list: a route that throws, a migration, health always ready. */
const boom: AppEntry = {
  required: false,
  create(): ExampleApp {
    const app = createApi();
    app.openapi(
      createRoute({
        method: "get",
        path: "/fail",
        responses: {
          200: { description: "never", content: { "text/plain": { schema: z.string() } } },
        },
      }),
      () => {
        throw new Error("secret stack detail");
      },
    );
    return {
      name: "boom",
      app,
      migrations: ["create table boom_things(id integer primary key)"],
      start: async () => {},
      health: () => ({ state: "ready", ready: true }),
    };
  },
};

function expectTracing(res: Response): void {
  expect(res.headers.get("x-request-id")).toMatch(/^[\w-]{8,}$/);
  expect(res.headers.get("server-timing")).toContain("total;dur=");
}

async function health(res: Response): Promise<Health> {
  expect(res.headers.get("content-type")).toContain("application/json");
  return (await res.json()) as Health;
}

describe("GET /health", () => {
  it("answers 503 with the seeding progress until search is ready, then 200", async () => {
    await using t = await tempServer();
    const { server } = t;
    const before = await server.app.request("/health");
    expect(before.status).toBe(503);
    expect((await health(before)).apps.search).toMatchObject({ state: "starting", ready: false });

    // Hold the one writer so the seed stops at its first batch, after reporting 0 of N.
    let release!: () => void;
    const held = server.db.write(() => new Promise<void>((resolve) => (release = resolve)));
    const started = server.start();
    let seeding: Health | undefined;
    for (let i = 0; i < 500 && seeding === undefined; i++) {
      const body = await health(await server.app.request("/health"));
      if (body.apps.search?.state === "seeding") seeding = body;
      else await Bun.sleep(5);
    }
    expect(seeding).toMatchObject({
      status: "starting",
      ready: false,
      apps: { search: { progress: { done: 0, unit: "passages" }, required: true } },
    });
    expect(seeding!.apps.search!.progress!.total).toBeGreaterThan(0);
    expect((await server.app.request("/search?q=freedom")).status).toBe(503);

    release();
    await held;
    await started;
    const after = await server.app.request("/health");
    expect(after.status).toBe(200);
    expect(await health(after)).toMatchObject({
      status: "ready",
      ready: true,
      apps: { search: { state: "ready", ready: true } },
    });
  });

  it("reports each pool and the built-in stand-in as the LLM in use", async () => {
    await using t = await tempServer();
    await t.server.start();
    const body = await health(await t.server.app.request("/health"));
    expect(body.pools.sqlite).toMatchObject({ state: "open", path: t.config.sqlite.path });
    expect(body.pools.llm).toMatchObject({ state: "open", origin: t.server.llm.origin });
    expect(body.llm).toMatchObject({
      origin: t.server.llm.origin,
      standin: true,
      reachable: true,
      available: true,
      missing: [],
      error: null,
    });
    expect(body.llm.models.chat).toBe(t.server.llm.standinServer!.chatModel);
  });

  it("stays 200 while the LLM is down, and says so in the body", async () => {
    const ollama = await startStandin();
    try {
      await ollama.setFaults({ down: true });
      await using t = await tempServer({ OLLAMA_HOST: ollama.url });
      await t.server.start();
      const res = await t.server.app.request("/health");
      expect(res.status).toBe(200);
      const body = await health(res);
      expect(body.llm).toMatchObject({ standin: false, reachable: false, available: false });
      expect(body.llm.error?.code).toBe("HTTP_CONNECT_FAILED");
      expect(t.server.llm.standinServer).toBeUndefined();
    } finally {
      await ollama.stop();
    }
  });

  it("names the models a real Ollama lacks, with the pull command", async () => {
    const ollama = await startStandin();
    try {
      await using t = await tempServer({ OLLAMA_HOST: ollama.url });
      const body = await health(await t.server.app.request("/health"));
      expect(body.llm).toMatchObject({
        reachable: true,
        available: false,
        missing: ["llama3.2", "nomic-embed-text"],
        pull: ["ollama pull llama3.2", "ollama pull nomic-embed-text"],
      });
    } finally {
      await ollama.stop();
    }
  });

  it("carries a request id and Server-Timing", async () => {
    await using t = await tempServer();
    expectTracing(await t.server.app.request("/health"));
  });
});

describe("errors", () => {
  it("answers an unknown route with a JSON 404 NOT_FOUND, request id and Server-Timing", async () => {
    await using t = await tempServer();
    const res = await t.server.app.request("/no/such/route");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    expectTracing(res);
  });

  it("answers a route that throws with 500 INTERNAL, without the stack, with the headers", async () => {
    await using t = await tempServer({}, { apps: [searchOnFixture, boom] });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    let res: Response;
    try {
      res = await t.server.app.request("/boom/fail");
    } finally {
      console.error = original;
    }
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).error.code).toBe("INTERNAL");
    expect(text).not.toContain("secret stack detail");
    expectTracing(res);
    expect(errors.length).toBe(1);
  });

  it("answers a body over MAX_BODY_BYTES with 413 PAYLOAD_TOO_LARGE", async () => {
    await using t = await tempServer({ MAX_BODY_BYTES: "1000" });
    await t.server.start();
    const body = JSON.stringify({ title: "big", body: "x".repeat(5_000) });
    const res = await t.server.app.request("/search/documents", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(body.length) },
      body,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      "PAYLOAD_TOO_LARGE",
    );
    expectTracing(res);
  });

  it("answers broken JSON with 400 INVALID_JSON", async () => {
    await using t = await tempServer();
    await t.server.start();
    const res = await t.server.app.request("/search/documents", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"title": "unterminated',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INVALID_JSON");
    expectTracing(res);
  });
});

describe("the app list", () => {
  it("mounts each app at /<name> and applies its migrations under its own name", async () => {
    await using t = await tempServer({}, { apps: [searchOnFixture, boom] });
    expect(t.server.apps.map((a) => a.name)).toEqual(["search", "boom"]);
    const table = await t.server.db.get(
      "select name from sqlite_master where name = 'boom_things'",
    );
    expect(table).toEqual({ name: "boom_things" });
    const health = (await (await t.server.app.request("/health")).json()) as Health;
    expect(health.apps.boom).toMatchObject({ ready: true, required: false });
  });
});

describe("GET /pools", () => {
  it("returns the SqlitePool's and the HttpPool's stats()", async () => {
    await using t = await tempServer();
    await t.server.start();
    await t.server.app.request("/search/documents/1");
    const res = await t.server.app.request("/pools");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      sqlite: { writer: { acquired: number }; statements: object };
      llm: { transport: string; origins: Record<string, { requests: { total: number } }> };
    };
    expect(body.sqlite.writer.acquired).toBeGreaterThan(0);
    expect(body.sqlite.statements).toHaveProperty("hits");
    expect(body.llm.transport).toBe("socket");
    // The start-up /api/tags check went through the pool.
    expect(body.llm.origins[t.server.llm.origin]!.requests.total).toBeGreaterThanOrEqual(1);
  });
});

describe("GET /openapi.json", () => {
  it("documents every mounted app's routes and the server's own", async () => {
    await using t = await tempServer({}, { apps: [searchOnFixture, boom] });
    const res = await t.server.app.request("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, object> };
    expect(doc.openapi).toStartWith("3.");
    const paths = Object.keys(doc.paths);
    for (const path of ["/search", "/search/documents", "/search/documents/{id}", "/boom/fail"]) {
      expect(paths).toContain(path);
    }
    for (const path of ["/health", "/pools", "/metrics"]) expect(paths).toContain(path);
  });
});

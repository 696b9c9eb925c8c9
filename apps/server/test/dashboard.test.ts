import { describe, expect, it } from "bun:test";
import type { ExampleApp } from "@app/kit";
import { SnapshotBuilder } from "../src/dashboard/snapshot-builder.ts";
import type { DashboardSnapshot } from "../src/dashboard/snapshot-types.ts";
import { tempServer } from "./temp-server.ts";

interface SseEvent {
  event: string;
  data: string;
}

/** Reads Server-Sent Events from a response body, one at a time. */
function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    /** The next event, or `undefined` when the stream ended. */
    async next(): Promise<SseEvent | undefined> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split("\n");
          const event = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "message";
          const data = lines
            .filter((l) => l.startsWith("data: "))
            .map((l) => l.slice(6))
            .join("\n");
          return { event, data };
        }
        const { value, done } = await reader.read();
        if (done) return undefined;
        buffer += value;
      }
    },
    cancel: () => reader.cancel(),
  };
}

/** Polls `condition` every 20 ms, at most `limit` times. */
async function eventually(condition: () => boolean, limit = 250): Promise<void> {
  for (let i = 0; i < limit && !condition(); i++) await Bun.sleep(20);
  expect(condition()).toBe(true);
}

describe("GET / (the dashboard page)", () => {
  it("serves the page and its bundle (uPlot included) from the server itself", async () => {
    await using t = await tempServer();
    const page = await t.server.app.request("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    // Nothing from elsewhere may load: the page works offline.
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('src="/dashboard/app.js"');
    expect(html).toContain('href="/dashboard/app.css"');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

    const js = await t.server.app.request("/dashboard/app.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
    const script = await js.text();
    expect(script).toContain("/pools/stream");
    expect(script).toContain("u-over"); // uPlot's own markup, bundled
    const css = await t.server.app.request("/dashboard/app.css");
    expect(css.status).toBe(200);
    expect(await css.text()).toContain(".uplot");
  });
});

describe("GET /pools/stream", () => {
  it("sends the kept history first, then a snapshot of every pool each second", async () => {
    await using t = await tempServer();
    await t.server.start();
    const res = await t.server.app.request("/pools/stream");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = sseReader(res);
    const first = await events.next();
    expect(first?.event).toBe("history");
    expect(Array.isArray(JSON.parse(first!.data))).toBe(true);
    let next = await events.next();
    while (next?.event !== "snapshot") next = await events.next();
    const snapshot = JSON.parse(next.data) as DashboardSnapshot;
    const origin = t.server.llm.origin;
    expect(snapshot.apps).toEqual(["search"]);
    expect(snapshot.pools.map((p) => p.id)).toEqual(
      expect.arrayContaining(["sqlite_writer", `llm ${origin}`]),
    );
    expect(snapshot.origins.map((o) => o.origin)).toEqual([origin]);
    expect(snapshot.traffic.map((x) => x.app)).toEqual(["search"]);
    expect(snapshot.cache).toBeNull();
    await events.cancel();
  });

  it("unsubscribes a viewer that leaves", async () => {
    await using t = await tempServer();
    const events = sseReader(await t.server.app.request("/pools/stream"));
    expect((await events.next())?.event).toBe("history");
    expect(t.server.dashboard.feed.subscribers).toBe(1);
    await events.cancel();
    await eventually(() => t.server.dashboard.feed.subscribers === 0);
  });

  it("ends every stream when the dashboard closes (shutdown), then answers 503 CLOSING", async () => {
    await using t = await tempServer();
    const streams = await Promise.all(
      [1, 2].map(async () => sseReader(await t.server.app.request("/pools/stream"))),
    );
    for (const s of streams) expect((await s.next())?.event).toBe("history");
    t.server.dashboard.close();
    for (const s of streams) {
      let event = await s.next();
      while (event !== undefined) event = await s.next();
      expect(event).toBeUndefined();
    }
    const refused = await t.server.app.request("/pools/stream");
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("CLOSING");
  });

  it("ends its streams when the server closes", async () => {
    const t = await tempServer();
    const events = sseReader(await t.server.app.request("/pools/stream"));
    expect((await events.next())?.event).toBe("history");
    await t[Symbol.asyncDispose]();
    let event = await events.next();
    while (event !== undefined) event = await events.next();
    expect(t.server.dashboard.feed.closed).toBe(true);
  });
});

describe("SnapshotBuilder", () => {
  it("counts each app's requests per second and their latency from the per-route metrics", async () => {
    await using t = await tempServer();
    await t.server.start();
    let now = 1_000_000;
    const builder = new SnapshotBuilder(
      { registry: t.server.registry, apps: t.server.apps },
      () => now,
    );
    await builder.take();
    for (let i = 0; i < 10; i++) {
      expect((await t.server.app.request("/search?q=freedom")).status).toBe(200);
    }
    expect((await t.server.app.request("/search/documents/1")).status).toBe(200);
    now += 2_000;
    const snapshot = await builder.take();
    const search = snapshot.traffic.find((x) => x.app === "search")!;
    expect(search.requestsPerS).toBe(11 / 2);
    expect(search.p50Ms).toBeGreaterThan(0);
    expect(search.p99Ms).toBeGreaterThanOrEqual(search.p50Ms!);
    // Nothing more within the next window: no rate, and no latency to show.
    now += 10_000;
    await builder.take();
    now += 1_000;
    const quiet = (await builder.take()).traffic.find((x) => x.app === "search")!;
    expect(quiet.requestsPerS).toBe(0);
    expect(quiet.p50Ms).toBeNull();
  });

  it("reports the writer's queue in the pools and in pendingTotal", async () => {
    await using t = await tempServer();
    const builder = new SnapshotBuilder({ registry: t.server.registry, apps: t.server.apps });
    let release!: () => void;
    const held = t.server.db.write(() => new Promise<void>((resolve) => (release = resolve)));
    const queued = [t.server.db.write(() => 1), t.server.db.write(() => 2)];
    const snapshot = await builder.take();
    release();
    await Promise.all([held, ...queued]);
    expect(snapshot.pools.find((p) => p.id === "sqlite_writer")).toMatchObject({
      size: 1,
      borrowed: 1,
      pending: 2,
    });
    expect(snapshot.sqlite.writerPending).toBe(2);
    expect(snapshot.pendingTotal).toBe(2);
    expect((await builder.take()).pendingTotal).toBe(0);
  });

  it("shows the CAG cache's hit ratio only when an app named cag is mounted", async () => {
    await using t = await tempServer();
    const counts = { hits: { exact: 3, semantic: 1 }, misses: 4 };
    const cag = {
      name: "cag",
      metrics: () => counts,
    } as unknown as ExampleApp;
    let now = 0;
    const builder = new SnapshotBuilder(
      { registry: t.server.registry, apps: [...t.server.apps, cag] },
      () => now,
    );
    expect((await builder.take()).cache).toMatchObject({ hitRatio: 0.5, hits: 4, misses: 4 });
    counts.hits.exact += 4;
    now += 1_000;
    const later = (await builder.take()).cache!;
    expect(later.hitRatio).toBe(8 / 12);
    expect(later.recentHitRatio).toBe(1);
    const without = new SnapshotBuilder({ registry: t.server.registry, apps: t.server.apps });
    expect((await without.take()).cache).toBeNull();
  });
});

import { describe, expect, it } from "bun:test";
import { createApi } from "./create-api.ts";
import { notReady } from "./not-ready.ts";
import { Readiness } from "./readiness.ts";

function gatedApp() {
  const readiness = new Readiness();
  const app = createApi();
  app.use(
    "*",
    notReady(() => readiness.health()),
  );
  app.get("/x", (c) => c.json({ ok: true }));
  return { app, readiness };
}

describe("notReady", () => {
  it("answers 503 NOT_READY while starting", async () => {
    const { app } = gatedApp();
    const res = await app.request("/x");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).not.toBeNull();
    expect(await res.json()).toMatchObject({ error: { code: "NOT_READY" } });
  });

  it("carries the seeding progress", async () => {
    const { app, readiness } = gatedApp();
    readiness.seeding({ done: 3, total: 10, unit: "documents" });
    const body = (await (await app.request("/x")).json()) as { error: { progress: unknown } };
    expect(body.error.progress).toMatchObject({ done: 3, total: 10, unit: "documents" });
  });

  it("lets requests through once ready", async () => {
    const { app, readiness } = gatedApp();
    readiness.ready();
    expect((await app.request("/x")).status).toBe(200);
  });

  it("stays 503 after a failed start, with the reason in health()", async () => {
    const { app, readiness } = gatedApp();
    readiness.failed("disk full");
    expect((await app.request("/x")).status).toBe(503);
    expect(readiness.health()).toEqual({ state: "failed", ready: false, detail: "disk full" });
  });
});

describe("Readiness", () => {
  it("estimates the time left once some work is done", () => {
    const readiness = new Readiness();
    readiness.seeding({ done: 0, total: 10, unit: "documents" });
    expect(readiness.health().progress?.etaS).toBeUndefined();
    readiness.seeding({ done: 5, total: 10, unit: "documents" });
    expect(readiness.health().progress?.etaS).toBeGreaterThanOrEqual(0);
    readiness.ready();
    expect(readiness.health()).toEqual({ state: "ready", ready: true });
  });
});

import { describe, expect, it } from "bun:test";
import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "./app-error.ts";
import { createApi } from "./create-api.ts";
import { ErrorSchema } from "./error-schema.ts";

function testApp() {
  const app = createApi();
  const item = createRoute({
    method: "post",
    path: "/items",
    middleware: [bodyLimit({ maxSize: 1024 })] as const,
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.object({ name: z.string().min(1), tags: z.array(z.string().max(3)) }),
          },
        },
      },
    },
    responses: {
      201: {
        description: "created",
        content: { "application/json": { schema: z.object({ ok: z.boolean() }) } },
      },
      400: { description: "bad", content: { "application/json": { schema: ErrorSchema } } },
    },
  });
  app.openapi(item, (c) => c.json({ ok: true }, 201));
  const list = createRoute({
    method: "get",
    path: "/items",
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(10).default(5) }) },
    responses: { 200: { description: "ok" } },
  });
  app.openapi(list, (c) => c.json({ limit: c.req.valid("query").limit }));
  app.get("/gone", () => {
    throw new AppError(410, "ITEM_GONE", "it went away", "id");
  });
  app.get("/boom", () => {
    throw new Error("secret stack detail");
  });
  return app;
}

const post = (
  body: string,
  headers: Record<string, string> = { "content-type": "application/json" },
) => testApp().request("/items", { method: "POST", body, headers });

describe("createApi validation hook", () => {
  it("answers 400 VALIDATION_FAILED with the dotted path of the first issue", async () => {
    const res = await post(JSON.stringify({ name: "a", tags: ["ok", "toolong"] }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; field: string; message: string } };
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(body.error.field).toBe("tags.1");
    expect(body.error.message.length).toBeGreaterThan(0);
  });

  it("names the query parameter at fault", async () => {
    const res = await testApp().request("/items?limit=0");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: "VALIDATION_FAILED", field: "limit" },
    });
  });

  it("names the request part when the whole part is wrong", async () => {
    const res = await post("[1, 2]");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "VALIDATION_FAILED", field: "json" } });
  });

  it("lets valid input through", async () => {
    expect((await post(JSON.stringify({ name: "a", tags: [] }))).status).toBe(201);
    expect(await (await testApp().request("/items")).json()).toEqual({ limit: 5 });
  });
});

describe("createApi error handling", () => {
  it("answers broken JSON with 400 INVALID_JSON", async () => {
    const res = await post("{ not json");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "INVALID_JSON" } });
  });

  it("answers a body over the limit with 413 PAYLOAD_TOO_LARGE", async () => {
    const res = await post(JSON.stringify({ name: "x".repeat(2000), tags: [] }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
  });

  it("answers a non-JSON content type with 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const res = await post("name=a", { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: "UNSUPPORTED_MEDIA_TYPE" } });
  });

  it("answers an AppError with its status, code and field", async () => {
    const res = await testApp().request("/gone");
    expect(res.status).toBe(410);
    expect(await res.json()).toEqual({
      error: { code: "ITEM_GONE", message: "it went away", field: "id" },
    });
  });

  it("answers anything else with 500 INTERNAL and leaks nothing", async () => {
    const original = console.error;
    console.error = () => {};
    try {
      const res = await testApp().request("/boom");
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ error: { code: "INTERNAL" } });
      expect(text).not.toContain("secret");
    } finally {
      console.error = original;
    }
  });

  it("answers an unknown route with a JSON 404 NOT_FOUND", async () => {
    const res = await testApp().request("/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it("keeps the sub-app's onError when mounted under a root app", async () => {
    const root = createApi();
    root.route("/sub", testApp());
    const res = await root.request("/sub/items", {
      method: "POST",
      body: "{",
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "INVALID_JSON" } });
    expect((await root.request("/sub/nope")).status).toBe(404);
  });
});

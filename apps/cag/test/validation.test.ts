import { beforeAll, describe, expect, it } from "bun:test";
import { createCagApp } from "../src/cag-app.ts";
import { CagOptionError } from "../src/cag-option-error.ts";
import { type ErrorJson, Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
  return () => h.close();
});

const post = (
  body: string,
  headers: Record<string, string> = { "content-type": "application/json" },
) => h.cag.app.request("/ask", { method: "POST", headers, body });

async function expectError(res: Response, status: number, code: string, field?: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as ErrorJson;
  expect(body.error.code).toBe(code);
  if (field !== undefined) expect(body.error.field).toBe(field);
}

describe("POST /ask: bad input", () => {
  it("answers 400 VALIDATION_FAILED naming the field", async () => {
    await expectError(await post("{}"), 400, "VALIDATION_FAILED", "question");
    await expectError(
      await post(JSON.stringify({ question: "" })),
      400,
      "VALIDATION_FAILED",
      "question",
    );
    await expectError(
      await post(JSON.stringify({ question: "   " })),
      400,
      "VALIDATION_FAILED",
      "question",
    );
    await expectError(
      await post(JSON.stringify({ question: 42 })),
      400,
      "VALIDATION_FAILED",
      "question",
    );
    await expectError(
      await post(JSON.stringify({ question: "x".repeat(2_001) })),
      400,
      "VALIDATION_FAILED",
      "question",
    );
    await expectError(
      await post(JSON.stringify({ question: "jobs?", stream: "yes" })),
      400,
      "VALIDATION_FAILED",
      "stream",
    );
    await expectError(
      await post(JSON.stringify({ question: "jobs?", topK: 3 })),
      400,
      "VALIDATION_FAILED",
    );
    await expectError(await post("[]"), 400, "VALIDATION_FAILED");
  });

  it("answers 400 for a question without words, streamed or not, without calling the LLM", async () => {
    const before = { ...h.standin.calls };
    await expectError(await h.ask("?!… ***"), 400, "VALIDATION_FAILED", "question");
    await expectError(await h.ask("?!", { stream: true }), 400, "VALIDATION_FAILED", "question");
    expect(h.standin.calls.chat).toBe(before.chat);
    expect(h.standin.calls.embed).toBe(before.embed);
  });

  it("answers 400 INVALID_JSON, 415 and 413 like the other apps", async () => {
    await expectError(await post("{ not json"), 400, "INVALID_JSON");
    await expectError(
      await post("question=jobs", { "content-type": "text/plain" }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    await expectError(
      await post(JSON.stringify({ question: "x".repeat(20_000) })),
      413,
      "PAYLOAD_TOO_LARGE",
    );
  });

  it("answers a JSON 404 for an unknown route", async () => {
    await expectError(await h.cag.app.request("/nope"), 404, "NOT_FOUND");
  });
});

describe("createCagApp options", () => {
  const make = (extra: Record<string, unknown>) => () =>
    createCagApp({ db: h.db, llm: h.llm, env: {}, log: () => {}, ...extra });
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(CagOptionError);
      return { code: (error as CagOptionError).code, option: (error as CagOptionError).option };
    }
    throw new Error("did not throw");
  };

  it("refuses unknown and bad options, naming them", () => {
    expect(code(make({ contextToken: 1_000 }))).toEqual({
      code: "CAG_INVALID_OPTION",
      option: "contextToken",
    });
    expect(code(make({ cacheTtlS: 0 }))).toEqual({
      code: "CAG_INVALID_OPTION",
      option: "cacheTtlS",
    });
    expect(code(make({ semanticThreshold: 1.5 }))).toEqual({
      code: "CAG_INVALID_OPTION",
      option: "semanticThreshold",
    });
    expect(code(make({ cacheMaxEntries: 2.5 }))).toEqual({
      code: "CAG_INVALID_OPTION",
      option: "cacheMaxEntries",
    });
  });

  it("refuses a context that would not fit num_ctx with room for the answer", () => {
    expect(code(make({ contextTokens: 31_000 }))).toEqual({
      code: "CAG_INVALID_OPTION",
      option: "contextTokens",
    });
    expect(code(make({ env: { CAG_CONTEXT_TOKENS: "40000" } }))).toEqual({
      code: "CAG_INVALID_OPTION",
      option: "CAG_CONTEXT_TOKENS",
    });
  });

  it("reads CAG_* variables, naming a bad one", () => {
    expect(code(make({ env: { CAG_CACHE_TTL_S: "soon" } }))).toEqual({
      code: "CAG_INVALID_OPTION",
      option: "CAG_CACHE_TTL_S",
    });
    expect(code(make({ env: { CAG_SEMANTIC_THRESHOLD: "0" } }))).toEqual({
      code: "CAG_INVALID_OPTION",
      option: "CAG_SEMANTIC_THRESHOLD",
    });
    expect(code(make({ env: { CAG_CACHE_MAX_ENTRIES: "-1" } }))).toEqual({
      code: "CAG_INVALID_OPTION",
      option: "CAG_CACHE_MAX_ENTRIES",
    });
  });

  it("lets an option win over its variable", async () => {
    const app = make({
      cacheTtlS: 5,
      env: { CAG_CACHE_TTL_S: "60", CAG_SEMANTIC_THRESHOLD: "0.8" },
    })();
    // Not started: only the routes' readiness gate answers, so read the settings from stats after start.
    await app.start();
    const stats = await (await app.app.request("/cache/stats")).json();
    expect(stats).toMatchObject({ ttlS: 5, semanticThreshold: 0.8 });
  });
});

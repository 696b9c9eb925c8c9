import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type ErrorResponse, query, startedSearch } from "./fixture.ts";

let ctx: Awaited<ReturnType<typeof startedSearch>>;
beforeAll(async () => {
  ctx = await startedSearch();
});
afterAll(() => ctx.cleanup());

const send = (method: string, path: string, body?: unknown, contentType = "application/json") =>
  ctx.search.app.request(path, {
    method,
    headers: body === undefined ? {} : { "content-type": contentType },
    body: body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body),
  });

async function create(doc: Record<string, unknown>): Promise<number> {
  const res = await send("POST", "/documents", doc);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

const errorOf = async (res: Response) => ((await res.json()) as ErrorResponse).error;

describe("POST /documents", () => {
  it("answers 201 with the id and a Location, and the document is searchable at once", async () => {
    const res = await send("POST", "/documents", {
      title: "Notes on quasars",
      body: "Quasars are distant. They shine brightly.",
      year: 2024,
      president: "Nobody",
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };
    expect(res.headers.get("location")).toBe(`/documents/${id}`);
    const { body } = await query(ctx.search, { q: "quasars" });
    expect(body.hits.map((h) => [h.documentId, h.title, h.year, h.president])).toEqual([
      [id, "Notes on quasars", 2024, "Nobody"],
    ]);
  });

  it("accepts a document without year or president", async () => {
    const id = await create({ title: "Bare", body: "Nothing but a narwhal." });
    const doc = await (await send("GET", `/documents/${id}`)).json();
    expect(doc).toMatchObject({ id, title: "Bare", year: null, president: null, sourceKey: null });
    expect((await query(ctx.search, { q: "narwhal", from: 1 })).body.total).toBe(0);
    expect((await query(ctx.search, { q: "narwhal" })).body.total).toBe(1);
  });

  it("splits a long body into passages and snippets from the best one", async () => {
    const filler = Array.from({ length: 60 }, (_, i) => `Filler sentence number ${i} here.`);
    const body = [...filler, "The okapi lives in the forest.", ...filler].join(" ");
    const id = await create({ title: "Long", body });
    const doc = (await (await send("GET", `/documents/${id}`)).json()) as { passages: number };
    expect(doc.passages).toBeGreaterThan(3);
    const hit = (await query(ctx.search, { q: "okapi" })).body.hits[0]!;
    expect(hit.documentId).toBe(id);
    expect(hit.snippet).toContain("The <mark>okapi</mark> lives in the forest.");
    const page = await query(ctx.search, { q: "filler" });
    expect(page.body.hits.filter((h) => h.documentId === id)).toHaveLength(1);
  });

  it("answers bad documents with 400 VALIDATION_FAILED naming the field", async () => {
    const cases: Array<[unknown, string]> = [
      [{ body: "x" }, "title"],
      [{ title: "", body: "x" }, "title"],
      [{ title: "   ", body: "x" }, "title"],
      [{ title: "t".repeat(501), body: "x" }, "title"],
      [{ title: "t", body: "" }, "body"],
      [{ title: "t", body: 42 }, "body"],
      [{ title: "t", body: "a\u0000b" }, "body"],
      [{ title: "t", body: "a\u0002b" }, "body"],
      [{ title: "t", body: "x", year: 1999.5 }, "year"],
      [{ title: "t", body: "x", year: "1999" }, "year"],
      [{ title: "t", body: "x", president: "" }, "president"],
      [{ title: "t", body: "x", extra: true }, "json"],
    ];
    for (const [doc, field] of cases) {
      const res = await send("POST", "/documents", doc);
      expect({ doc, status: res.status, ...(await errorOf(res)), message: "" }).toMatchObject({
        doc,
        status: 400,
        code: "VALIDATION_FAILED",
        field,
      });
    }
  });

  it("keeps tabs and newlines in a body", async () => {
    const id = await create({ title: "Lines", body: "first\tline\nsecond line\r\n" });
    expect(await (await send("GET", `/documents/${id}`)).json()).toMatchObject({
      body: "first\tline\nsecond line\r\n",
    });
  });

  it("answers broken JSON with 400 INVALID_JSON", async () => {
    const res = await send("POST", "/documents", '{"title": "t", "body": ');
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("INVALID_JSON");
  });

  it("answers a request body over 4 MiB with 413 PAYLOAD_TOO_LARGE", async () => {
    const res = await send("POST", "/documents", { title: "big", body: "x ".repeat(2_200_000) });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answers a body over 1,000,000 characters that fits the request limit with 400 on body", async () => {
    const res = await send("POST", "/documents", { title: "big", body: "x".repeat(1_000_001) });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "VALIDATION_FAILED", field: "body" });
  });

  it("answers another content type with 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const res = await send(
      "POST",
      "/documents",
      "title=t&body=b",
      "application/x-www-form-urlencoded",
    );
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });
});

describe("GET /documents/:id", () => {
  it("returns a seeded document with its source key", async () => {
    const hit = (await query(ctx.search, { q: "moon" })).body.hits[0]!;
    const res = await send("GET", `/documents/${hit.documentId}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: hit.documentId,
      title: "John F Kennedy, State of the Union 1961",
      year: 1961,
      president: "John F Kennedy",
      sourceKey: "fixture-5",
      passages: 1,
    });
  });

  it("answers an unknown id with 404 DOCUMENT_NOT_FOUND", async () => {
    const res = await send("GET", "/documents/999999");
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: "DOCUMENT_NOT_FOUND", field: "id" });
  });

  it("answers a malformed id with 400 VALIDATION_FAILED on id", async () => {
    for (const id of ["abc", "0", "-1", "1.5", "99999999999999999999"]) {
      const res = await send("GET", `/documents/${id}`);
      expect({ id, status: res.status, ...(await errorOf(res)), message: "" }).toMatchObject({
        id,
        status: 400,
        code: "VALIDATION_FAILED",
        field: "id",
      });
    }
  });

  it("answers an unknown route with a JSON 404", async () => {
    const res = await send("GET", "/documents/1/extra");
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("NOT_FOUND");
  });
});

describe("PUT /documents/:id", () => {
  it("replaces the document; old words vanish from the index and new ones appear at once", async () => {
    const id = await create({ title: "Before", body: "The aardvark digs.", year: 1900 });
    const res = await send("PUT", `/documents/${id}`, {
      title: "After",
      body: "The pangolin rolls. The pangolin sleeps.",
      year: 1901,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, title: "After", year: 1901, president: null });
    expect((await query(ctx.search, { q: "aardvark" })).body.total).toBe(0);
    const { body } = await query(ctx.search, { q: "pangolin" });
    expect(body.hits.map((h) => [h.documentId, h.title, h.year])).toEqual([[id, "After", 1901]]);
  });

  it("answers an unknown id with 404 and creates nothing", async () => {
    const res = await send("PUT", "/documents/999999", { title: "Ghost", body: "A wraith." });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("DOCUMENT_NOT_FOUND");
    expect((await query(ctx.search, { q: "wraith" })).body.total).toBe(0);
  });

  it("validates the body like POST", async () => {
    const id = await create({ title: "Keep", body: "The ibis wades." });
    const res = await send("PUT", `/documents/${id}`, { title: "Keep" });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).field).toBe("body");
    expect((await query(ctx.search, { q: "ibis" })).body.total).toBe(1);
  });
});

describe("DELETE /documents/:id", () => {
  it("answers 204 and the document leaves the results at once", async () => {
    const id = await create({ title: "Doomed", body: "The dodo was here." });
    expect((await query(ctx.search, { q: "dodo" })).body.total).toBe(1);
    const res = await send("DELETE", `/documents/${id}`);
    expect(res.status).toBe(204);
    expect((await query(ctx.search, { q: "dodo" })).body.total).toBe(0);
    expect((await send("GET", `/documents/${id}`)).status).toBe(404);
  });

  it("leaves no passage or index entry behind", async () => {
    const id = await create({ title: "Trace", body: "The quokka smiles." });
    await send("DELETE", `/documents/${id}`);
    const orphans = await ctx.db.get<{ n: number }>(
      "select count(*) as n from search_passages where document_id = ?",
      [id],
    );
    expect(orphans?.n).toBe(0);
    // The index agrees with its content table (FTS5's own consistency check throws if not).
    await ctx.db.run(
      "insert into search_passages_fts(search_passages_fts, rank) values ('integrity-check', 1)",
    );
  });

  it("answers a second delete with 404", async () => {
    const id = await create({ title: "Once", body: "The moa." });
    expect((await send("DELETE", `/documents/${id}`)).status).toBe(204);
    const res = await send("DELETE", `/documents/${id}`);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("DOCUMENT_NOT_FOUND");
  });
});

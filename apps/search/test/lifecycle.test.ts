import { describe, expect, it } from "bun:test";
import { seedCorpus } from "../src/index.ts";
import { type ErrorResponse, fixtureCorpus, openSearch, query } from "./fixture.ts";

const count = async (db: Awaited<ReturnType<typeof openSearch>>["db"], table: string) =>
  (await db.get<{ n: number }>(`select count(*) as n from ${table}`))!.n;

describe("search app before start()", () => {
  it("answers every route with 503 NOT_READY and reports starting", async () => {
    const { search, cleanup } = await openSearch();
    try {
      expect(search.health()).toEqual({ state: "starting", ready: false });
      for (const [method, path] of [
        ["GET", "/?q=war"],
        ["GET", "/documents/1"],
        ["POST", "/documents"],
        ["DELETE", "/documents/1"],
      ] as const) {
        const res = await search.app.request(path, { method });
        expect(res.status).toBe(503);
        expect(((await res.json()) as ErrorResponse).error.code).toBe("NOT_READY");
      }
    } finally {
      await cleanup();
    }
  });

  it("reports seeding progress while start() runs, then opens the routes", async () => {
    const { db, search, cleanup } = await openSearch();
    try {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      // Hold the writer so the seed waits at its first transaction.
      const held = db.transaction(() => gate);
      const started = search.start();
      while (search.health().progress?.unit !== "passages") await Bun.sleep(1);
      const expectedPassages = fixtureCorpus.length; // one passage each
      expect(search.health().progress).toMatchObject({
        done: 0,
        total: expectedPassages,
        unit: "passages",
      });
      const res = await search.app.request("/?q=war");
      expect(res.status).toBe(503);
      expect(((await res.json()) as ErrorResponse).error).toMatchObject({
        code: "NOT_READY",
        progress: { done: 0, total: expectedPassages },
      });
      release();
      await held;
      await started;
      expect(search.health()).toEqual({ state: "ready", ready: true });
      expect((await query(search, { q: "moon" })).status).toBe(200);
    } finally {
      await cleanup();
    }
  });

  it("reports failed, keeps answering 503, and rejects start() when seeding fails", async () => {
    const { search, cleanup } = await openSearch({
      seed: {
        corpus: () => {
          throw new Error("corpus unavailable");
        },
      },
    });
    try {
      expect(search.start()).rejects.toThrow("corpus unavailable");
      await search.start().catch(() => {});
      expect(search.health()).toMatchObject({
        state: "failed",
        ready: false,
        detail: "corpus unavailable",
      });
      expect((await search.app.request("/?q=war")).status).toBe(503);
    } finally {
      await cleanup();
    }
  });
});

describe("seeding", () => {
  it("seeds every document and passage once, and a restart reuses them", async () => {
    const first = await openSearch();
    await first.search.start();
    expect(first.search.lastSeed).toMatchObject({ seeded: true, documents: 6, passages: 6 });
    await first.search.close!();
    await first.db.close();

    const second = await openSearch({ dir: first.dir });
    try {
      await second.search.start();
      expect(second.search.lastSeed?.seeded).toBe(false);
      expect(await count(second.db, "search_documents")).toBe(6);
      expect(await count(second.db, "search_passages")).toBe(6);
      expect((await query(second.search, { q: "moon" })).body.total).toBe(1);
    } finally {
      await second.cleanup();
    }
  });

  it("does not bring back a seeded document deleted after the seed completed", async () => {
    const { db, search, cleanup } = await openSearch();
    try {
      await search.start();
      const hit = (await query(search, { q: "moon" })).body.hits[0]!;
      expect(
        (await search.app.request(`/documents/${hit.documentId}`, { method: "DELETE" })).status,
      ).toBe(204);
      await seedCorpus(db, { corpus: () => fixtureCorpus });
      expect(await count(db, "search_documents")).toBe(5);
    } finally {
      await cleanup();
    }
  });

  it("resumes an interrupted seed without duplicating the documents already in", async () => {
    const { db, search, cleanup } = await openSearch();
    try {
      const stop = new AbortController();
      const first = seedCorpus(db, {
        corpus: () => fixtureCorpus,
        batchPassages: 1,
        signal: stop.signal,
        onProgress: (_, written) => {
          if (written.documents === 2) stop.abort(new Error("killed"));
        },
      });
      expect(first).rejects.toThrow("killed");
      await first.catch(() => {});
      expect(await count(db, "search_documents")).toBe(2);

      // Two documents in, no completion mark: the next start finishes the job.
      await search.start();
      expect(search.lastSeed).toMatchObject({ seeded: true, documents: 6, passages: 6 });
      expect(await count(db, "search_documents")).toBe(6);
      expect(await count(db, "search_passages")).toBe(6);
      const keys = await db.all<{ k: string }>(
        "select source_key as k from search_documents order by id",
      );
      expect(keys.map((r) => r.k)).toEqual(fixtureCorpus.map((d) => d.key));
    } finally {
      await cleanup();
    }
  });

  it("commits in batches, so other writers get the writer between them", async () => {
    const { db, cleanup } = await openSearch();
    try {
      await db.run("create table other_app (n integer)");
      let otherWrite: Promise<unknown> | undefined;
      let docsWhenOtherWrote = -1;
      const seeded = seedCorpus(db, {
        corpus: () => fixtureCorpus,
        batchPassages: 2,
        onProgress: (_, written) => {
          if (written.documents > 0 && otherWrite === undefined) {
            otherWrite = db.run("insert into other_app values (1)").then(async () => {
              docsWhenOtherWrote = await count(db, "search_documents");
            });
          }
        },
      });
      const result = await seeded;
      await otherWrite;
      expect(docsWhenOtherWrote).toBeGreaterThan(0);
      expect(docsWhenOtherWrote).toBeLessThan(6);
      expect(result.documents).toBe(6);
    } finally {
      await cleanup();
    }
  });

  it("gives the event loop a turn between batches", async () => {
    const { db, cleanup } = await openSearch();
    try {
      // 200 one-passage documents, one per transaction.
      const corpus = Array.from({ length: 200 }, (_, i) => ({
        ...fixtureCorpus[0]!,
        key: `many-${i}`,
      }));
      let timerFired = false;
      let armed = false;
      const result = await seedCorpus(db, {
        corpus: () => corpus,
        batchPassages: 1,
        onProgress: (_, written) => {
          if (written.documents === 1 && !armed) {
            armed = true;
            setTimeout(() => {
              timerFired = true;
            }, 0);
          }
        },
      });
      // Transactions settle through promise callbacks: without real turns of the loop, a timer
      // (like a request) would wait for the whole seed.
      expect(timerFired).toBe(true);
      expect(result.documents).toBe(200);
    } finally {
      await cleanup();
    }
  });

  it("stops between batches when the app is closed", async () => {
    const { db, search, cleanup } = await openSearch({ seed: { batchPassages: 1 } });
    try {
      let release!: () => void;
      const held = db.transaction(() => new Promise<void>((resolve) => (release = resolve)));
      const started = search.start();
      while (search.health().state !== "seeding") await Bun.sleep(1);
      const closing = search.close!();
      release();
      await held;
      await closing;
      expect(started).rejects.toThrow();
      await started.catch(() => {});
      expect(await count(db, "search_documents")).toBeLessThan(6);
      expect(search.health().state).toBe("failed");
    } finally {
      await cleanup();
    }
  });
});

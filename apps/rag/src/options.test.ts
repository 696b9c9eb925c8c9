import { describe, expect, it } from "bun:test";
import type { Llm } from "@app/kit";
import type { SqlitePool } from "@pool/sqlite";
import { parseSeedDocs, RagOptionError, resolveRagOptions } from "./options.ts";

const db = {} as SqlitePool;
const llmOf = (standin: boolean) => ({ standin }) as Llm;

describe("parseSeedDocs", () => {
  it("reads a count or all, and nothing when unset or empty", () => {
    expect(parseSeedDocs("all")).toBe("all");
    expect(parseSeedDocs(" ALL ")).toBe("all");
    expect(parseSeedDocs("20")).toBe(20);
    expect(parseSeedDocs("0")).toBe(0);
    expect(parseSeedDocs(undefined)).toBeUndefined();
    expect(parseSeedDocs("")).toBeUndefined();
  });

  it.each(["-1", "ten", "2.5"])(
    "refuses %p with RAG_INVALID_OPTION naming RAG_SEED_DOCS",
    (value) => {
      try {
        parseSeedDocs(value);
        throw new Error("no error");
      } catch (error) {
        expect(error).toBeInstanceOf(RagOptionError);
        expect(error).toMatchObject({ code: "RAG_INVALID_OPTION", option: "RAG_SEED_DOCS" });
      }
    },
  );
});

describe("resolveRagOptions", () => {
  it("seeds everything with the stand-in and the 20 most recent addresses with a real Ollama", () => {
    const saved = process.env.RAG_SEED_DOCS;
    delete process.env.RAG_SEED_DOCS;
    try {
      expect(resolveRagOptions({ db, llm: llmOf(true) }).seedDocs).toBe("all");
      expect(resolveRagOptions({ db, llm: llmOf(false) }).seedDocs).toBe(20);
      process.env.RAG_SEED_DOCS = "5";
      expect(resolveRagOptions({ db, llm: llmOf(true) }).seedDocs).toBe(5);
      expect(resolveRagOptions({ db, llm: llmOf(true), seedDocs: 2 }).seedDocs).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.RAG_SEED_DOCS;
      else process.env.RAG_SEED_DOCS = saved;
    }
  });

  it.each([
    ["an unknown option", { seedDoc: 3 }, "seedDoc"],
    ["a negative seedDocs", { seedDocs: -1 }, "seedDocs"],
    ["a zero batch", { embedBatchSize: 0 }, "embedBatchSize"],
    [
      "an overlap as long as a chunk",
      { chunkMaxChars: 500, chunkOverlapChars: 500 },
      "chunkOverlapChars",
    ],
    ["an unknown backend", { vectorBackend: "faiss" }, "vectorBackend"],
  ])("refuses %s, naming it", (_label, extra, option) => {
    expect(() => resolveRagOptions({ db, llm: llmOf(true), ...(extra as object) })).toThrow(
      RagOptionError,
    );
    try {
      resolveRagOptions({ db, llm: llmOf(true), ...(extra as object) });
    } catch (error) {
      expect(error).toMatchObject({ code: "RAG_INVALID_OPTION", option });
    }
  });
});

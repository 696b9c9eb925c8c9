import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { ragSqliteExtensions } from "./sqlite-extensions.ts";

describe("ragSqliteExtensions", () => {
  it("names sqlite-vec's loadable file where it loads, and it gives vec_version()", () => {
    const lines: string[] = [];
    const extensions = ragSqliteExtensions((line) => lines.push(line));
    expect(extensions).toHaveLength(1);
    expect(lines).toEqual([]);
    const db = new Database(":memory:");
    db.loadExtension(extensions[0]!);
    expect(db.query<{ v: string }, []>("select vec_version() as v").get()!.v).toMatch(/^v\d/);
    db.close();
  });
});

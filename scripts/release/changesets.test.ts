import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { parseChangesetReleases, readPendingChangesets } from "./changesets.ts";

describe("parseChangesetReleases", () => {
  it("reads every package and bump type of the front matter, in any quoting", () => {
    const text = `---\n"@pool/core": minor\n'@pool/http': patch\n@pool/sqlite: major\n---\n\nText: with a colon.\n`;
    expect([...parseChangesetReleases(text)]).toEqual([
      ["@pool/core", "minor"],
      ["@pool/http", "patch"],
      ["@pool/sqlite", "major"],
    ]);
  });

  it("names nothing for an empty changeset or text without front matter", () => {
    expect(parseChangesetReleases("---\n---\n\nNo release.").size).toBe(0);
    expect(parseChangesetReleases("# Changesets\n\nHello").size).toBe(0);
  });
});

describe("readPendingChangesets", () => {
  it("reads this repository's pending changesets and skips the README", async () => {
    const pending = await readPendingChangesets(join(import.meta.dir, "..", ".."));
    expect(pending.some((c) => c.file === ".changeset/README.md")).toBe(false);
    for (const changeset of pending) expect(changeset.file).toMatch(/^\.changeset\/.+\.md$/);
  });
});

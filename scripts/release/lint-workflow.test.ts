import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { lintWorkflow } from "./lint-workflow.ts";

const workflow = join(import.meta.dir, "..", "..", ".github", "workflows", "release.yml");

describe("lintWorkflow", () => {
  it("finds nothing wrong in the release workflow", async () => {
    expect(await lintWorkflow(await Bun.file(workflow).text(), "release.yml")).toEqual([]);
  });

  it("reports an unknown job key and an undefined expression property", async () => {
    const broken = (await Bun.file(workflow).text())
      .replace("timeout-minutes: 30", "timeout: 30")
      .replace("{{ github.ref }}", "{{ github.reff }}");
    const kinds = (await lintWorkflow(broken, "release.yml")).map((f) => f.kind).sort();
    expect(kinds).toEqual(["expression", "syntax-check"]);
  });
});

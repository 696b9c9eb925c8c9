import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { ReleaseError } from "./release-error.ts";
import {
  inReleaseOrder,
  type Manifest,
  readWorkspacePackages,
  type WorkspacePackage,
} from "./workspace-packages.ts";

function pkg(name: string, deps: Record<string, string> = {}, field = "dependencies") {
  const manifest = { name, version: "1.0.0", [field]: deps } as Manifest;
  return { name, version: "1.0.0", dir: `/x/${name}`, private: false, manifest };
}

const names = (list: WorkspacePackage[]) => list.map((p) => p.name);

describe("inReleaseOrder", () => {
  it("puts dependencies before their dependents, whatever the input order", () => {
    const order = inReleaseOrder([
      pkg("@pool/sqlite", { "@pool/core": "workspace:^" }),
      pkg("@pool/http", { "@pool/core": "workspace:^" }),
      pkg("@pool/core"),
    ]);
    expect(names(order)).toEqual(["@pool/core", "@pool/http", "@pool/sqlite"]);
  });

  it("counts peer and optional dependencies but not devDependencies", () => {
    expect(names(inReleaseOrder([pkg("a", { b: "^1" }, "peerDependencies"), pkg("b")]))).toEqual([
      "b",
      "a",
    ]);
    expect(names(inReleaseOrder([pkg("b", { a: "^1" }, "devDependencies"), pkg("a")]))).toEqual([
      "a",
      "b",
    ]);
  });

  it("fails with RELEASE_DEPENDENCY_CYCLE on a cycle", () => {
    let caught: unknown;
    try {
      inReleaseOrder([pkg("a", { b: "^1" }), pkg("b", { a: "^1" })]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ReleaseError);
    expect((caught as ReleaseError).code).toBe("RELEASE_DEPENDENCY_CYCLE");
  });
});

describe("readWorkspacePackages", () => {
  it("finds this repository's public packages, core first in release order", async () => {
    const all = await readWorkspacePackages(join(import.meta.dir, "..", ".."));
    const publicOnes = names(inReleaseOrder(all.filter((p) => !p.private)));
    expect(publicOnes).toEqual(["@pool/core", "@pool/http", "@pool/sqlite"]);
  });
});

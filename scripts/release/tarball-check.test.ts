import { describe, expect, it } from "bun:test";
import { checkTarball, type PackedContents } from "./tarball-check.ts";

const internal = new Map([
  ["@pool/core", "0.2.0"],
  ["@pool/http", "0.1.1"],
]);

function http(overrides: Record<string, unknown> = {}, files?: string[]): PackedContents {
  return {
    files: files ?? [
      "package.json",
      "README.md",
      "LICENSE",
      "CHANGELOG.md",
      "src/index.ts",
      "dist/index.js",
      "dist/index.d.ts",
    ],
    manifest: {
      name: "@pool/http",
      version: "0.1.1",
      exports: {
        ".": {
          bun: "./src/index.ts",
          types: "./dist/index.d.ts",
          import: "./dist/index.js",
        },
        "./package.json": "./package.json",
      },
      dependencies: { "@pool/core": "^0.2.0" },
      ...overrides,
    },
  };
}

const codes = (packed: PackedContents) =>
  checkTarball(packed, { name: "@pool/http", version: "0.1.1" }, internal).map((p) => p.code);

describe("checkTarball", () => {
  it("passes a complete tarball", () => {
    expect(codes(http())).toEqual([]);
  });

  it("reports each exports, main and types target missing from the tarball", () => {
    const files = ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "src/index.ts"];
    const problems = checkTarball(
      http({ main: "./dist/index.js", types: "dist/index.d.ts" }, files),
      { name: "@pool/http", version: "0.1.1" },
      internal,
    );
    expect(problems.map((p) => p.code)).toEqual([
      "TARBALL_MISSING_TARGET",
      "TARBALL_MISSING_TARGET",
      "TARBALL_MISSING_TARGET",
      "TARBALL_MISSING_TARGET",
    ]);
    expect(problems.map((p) => p.detail).join("\n")).toContain('exports["."].types');
  });

  it("matches pattern exports against the packed files", () => {
    expect(codes(http({ exports: { "./*": "./dist/*.js" } }))).toEqual([]);
    expect(codes(http({ exports: { "./*": "./lib/*.js" } }))).toEqual(["TARBALL_MISSING_TARGET"]);
  });

  it("reports a workspace: range left anywhere in package.json", () => {
    expect(codes(http({ dependencies: { "@pool/core": "workspace:^" } }))).toEqual([
      "TARBALL_WORKSPACE_RANGE",
    ]);
    expect(codes(http({ overrides: { "@pool/core": "workspace:*" } }))).toEqual([
      "TARBALL_WORKSPACE_RANGE",
    ]);
  });

  it("reports an internal dependency pinned exactly or not satisfied by the released version", () => {
    expect(codes(http({ dependencies: { "@pool/core": "0.2.0" } }))).toEqual([
      "TARBALL_INTERNAL_RANGE",
    ]);
    expect(codes(http({ dependencies: { "@pool/core": "^0.1.0" } }))).toEqual([
      "TARBALL_INTERNAL_RANGE",
    ]);
    expect(codes(http({ peerDependencies: { "@pool/core": "^0.3.0" } }))).toEqual([
      "TARBALL_INTERNAL_RANGE",
    ]);
    // Outside dependencies may be pinned: only our own packages must dedupe.
    expect(codes(http({ dependencies: { "@pool/core": "~0.2.0", hono: "4.13.19" } }))).toEqual([]);
  });

  it("reports a missing README, LICENSE or CHANGELOG", () => {
    const files = ["package.json", "src/index.ts", "dist/index.js", "dist/index.d.ts"];
    const problems = checkTarball(
      http({}, files),
      { name: "@pool/http", version: "0.1.1" },
      internal,
    );
    expect(problems.map((p) => p.code)).toEqual([
      "TARBALL_MISSING_FILE",
      "TARBALL_MISSING_FILE",
      "TARBALL_MISSING_FILE",
    ]);
  });

  it("reports a tarball of another package, version or a private one", () => {
    expect(codes(http({ version: "0.1.0" }))).toEqual(["TARBALL_WRONG_PACKAGE"]);
    expect(codes(http({ private: true }))).toEqual(["TARBALL_WRONG_PACKAGE"]);
  });
});

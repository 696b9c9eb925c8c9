import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { ReleaseError } from "../release/release-error.ts";
import { ReleaseCheckError, runRelease } from "../release/run-release.ts";
import { type RecordingRegistry, startRecordingRegistry } from "./recording-registry.ts";
import { bunRun, cleanEnv, makeTempRepo, type TempRepo, versionTempRepo } from "./temp-repo.ts";

let repo: TempRepo;
let registry: RecordingRegistry;

beforeAll(async () => {
  repo = await makeTempRepo();
  await versionTempRepo(repo);
  // Two ways a package breaks without anyone noticing: a build that forgets the declarations
  // (dist/index.d.ts, the `types` target, is never written) and a workspace: range in a field
  // bun pm pack does not rewrite.
  const http = join(repo.dir, "packages/http/package.json");
  const httpManifest = await Bun.file(http).json();
  httpManifest.scripts.build = httpManifest.scripts.build.replace(
    / && tsc -p tsconfig.build.json$/,
    "",
  );
  await Bun.write(http, `${JSON.stringify(httpManifest, null, 2)}\n`);
  const sqlite = join(repo.dir, "packages/sqlite/package.json");
  const sqliteManifest = await Bun.file(sqlite).json();
  sqliteManifest.overrides = { "@pool/core": "workspace:*" };
  await Bun.write(sqlite, `${JSON.stringify(sqliteManifest, null, 2)}\n`);
  await repo.commitAll("break @pool/http and @pool/sqlite");
  registry = startRecordingRegistry();
}, 60_000);

afterAll(async () => {
  await registry?.[Symbol.asyncDispose]();
  await repo?.[Symbol.asyncDispose]();
});

describe("release checks on a broken package", () => {
  it("fail the dry run with every problem listed and nothing uploaded", async () => {
    const env = cleanEnv({ BUN_CONFIG_REGISTRY: registry.url });
    const run = await bunRun(repo.dir, ["release", "--dry-run"], env);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("RELEASE_CHECK_FAILED");
    expect(run.stderr).toMatch(/TARBALL_MISSING_TARGET @pool\/http@0\.1\.0: .*dist\/index\.d\.ts/);
    expect(run.stderr).toMatch(/TARBALL_WORKSPACE_RANGE @pool\/sqlite@0\.1\.0: .*overrides/);
    expect(registry.uploads()).toEqual([]);
  });

  it("stop a real release before its first upload, even of the healthy @pool/core", async () => {
    const env = cleanEnv({ BUN_CONFIG_REGISTRY: registry.url, NPM_CONFIG_TOKEN: "test-token" });
    let caught: unknown;
    try {
      await runRelease({ root: repo.dir, dryRun: false, env, log: () => {} });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ReleaseCheckError);
    expect((caught as ReleaseError).code).toBe("RELEASE_CHECK_FAILED");
    const problems = (caught as ReleaseCheckError).problems.map((p) => `${p.package} ${p.code}`);
    expect(problems).toEqual([
      "@pool/http@0.1.0 TARBALL_MISSING_TARGET",
      "@pool/sqlite@0.1.0 TARBALL_WORKSPACE_RANGE",
    ]);
    expect(registry.uploads()).toEqual([]);
    expect(await repo.git("tag", "--list")).toBe("");
  });
});

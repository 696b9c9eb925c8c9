import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { ReleaseError } from "../release/release-error.ts";
import { ReleasePublishError, runRelease } from "../release/run-release.ts";
import { type RecordingRegistry, startRecordingRegistry } from "./recording-registry.ts";
import { cleanEnv, makeTempRepo, type TempRepo, versionTempRepo } from "./temp-repo.ts";

let repo: TempRepo;
let registry: RecordingRegistry;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  repo = await makeTempRepo();
  registry = startRecordingRegistry({ failUploadsOf: ["@pool/http"] });
  env = cleanEnv({ BUN_CONFIG_REGISTRY: registry.url, NPM_CONFIG_TOKEN: "test-token" });
}, 60_000);

afterAll(async () => {
  await registry?.[Symbol.asyncDispose]();
  await repo?.[Symbol.asyncDispose]();
});

async function releaseError(promise: Promise<unknown>): Promise<ReleaseError> {
  try {
    await promise;
  } catch (error) {
    return error as ReleaseError;
  }
  throw new Error("the release did not fail");
}

describe("bun run release (publishing to a stand-in registry)", () => {
  it("refuses to publish while changesets are pending, before any request", async () => {
    const error = await releaseError(
      runRelease({ root: repo.dir, dryRun: false, env, log: () => {} }),
    );
    expect(error.code).toBe("RELEASE_PENDING_CHANGESETS");
    expect(registry.requests).toEqual([]);
  });

  it("refuses to publish uncommitted changes", async () => {
    await versionTempRepo(repo);
    const file = join(repo.dir, "packages/core/src/index.ts");
    const source = await Bun.file(file).text();
    await Bun.write(file, `${source}\nexport const uncommitted = 1;\n`);
    const error = await releaseError(
      runRelease({ root: repo.dir, dryRun: false, env, log: () => {} }),
    );
    await Bun.write(file, source);
    expect(error.code).toBe("RELEASE_DIRTY_TREE");
    expect(registry.uploads()).toEqual([]);
  });

  it("publishes core first and, when an upload fails, says what was and was not published", async () => {
    const error = await releaseError(
      runRelease({ root: repo.dir, dryRun: false, env, log: () => {} }),
    );
    expect(error).toBeInstanceOf(ReleasePublishError);
    expect(error.code).toBe("RELEASE_PUBLISH_FAILED");
    expect((error as ReleasePublishError).published).toEqual(["@pool/core@0.1.0"]);
    expect((error as ReleasePublishError).unpublished).toEqual([
      "@pool/http@0.1.0",
      "@pool/sqlite@0.1.0",
    ]);
    expect(registry.uploads().map((u) => `${u.name}@${u.versions}`)).toEqual([
      "@pool/core@0.1.0",
      "@pool/http@0.1.0",
    ]);
    expect(await repo.git("tag", "--list")).toBe(""); // nothing is tagged after a failure
  });

  it("re-run, skips what is already published, publishes the rest and tags every version", async () => {
    registry.failUploadsOf.clear();
    const lines: string[] = [];
    const report = await runRelease({
      root: repo.dir,
      dryRun: false,
      env,
      log: (l) => lines.push(l),
    });
    expect(report.published).toEqual(["@pool/http@0.1.0", "@pool/sqlite@0.1.0"]);
    expect(report.skipped.find((s) => s.name === "@pool/core")?.reason).toMatch(
      /already published/,
    );
    expect(registry.uploads().map((u) => `${u.name}@${u.versions}`)).toEqual([
      "@pool/core@0.1.0",
      "@pool/http@0.1.0",
      "@pool/http@0.1.0",
      "@pool/sqlite@0.1.0",
    ]);
    expect((await repo.git("tag", "--list")).split("\n").sort()).toEqual([
      "@pool/core@0.1.0",
      "@pool/http@0.1.0",
      "@pool/sqlite@0.1.0",
    ]);
    // changesets/action turns these lines into pushed tags and GitHub releases.
    expect(lines.filter((l) => l.includes("New tag:")).length).toBe(3);
  });

  it("has nothing left to do on a second run", async () => {
    const before = registry.uploads().length;
    const report = await runRelease({ root: repo.dir, dryRun: false, env, log: () => {} });
    expect(report.packed).toEqual([]);
    expect(registry.uploads().length).toBe(before);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTarball } from "../release/tarball.ts";
import { type RecordingRegistry, startRecordingRegistry } from "./recording-registry.ts";
import {
  bunRun,
  cleanEnv,
  dropPendingChangesets,
  makeTempRepo,
  type TempRepo,
} from "./temp-repo.ts";

const HTTP_ONLY = `---\n"@pool/http": minor\n---\n\nRehearsal entry: streams request bodies.\n`;

let repo: TempRepo;
let registry: RecordingRegistry;
let packDir: string;

beforeAll(async () => {
  repo = await makeTempRepo();
  await dropPendingChangesets(repo.dir);
  await Bun.write(join(repo.dir, ".changeset", "http-only.md"), HTTP_ONLY);
  await repo.commitAll("a changeset naming only @pool/http");
  // core and sqlite are out at 0.0.0 already; http's 0.0.0 is too, so only its bump is new.
  registry = startRecordingRegistry({
    published: { "@pool/core": ["0.0.0"], "@pool/sqlite": ["0.0.0"], "@pool/http": ["0.0.0"] },
  });
  packDir = await mkdtemp(join(tmpdir(), "pool-dry-run-tgz-"));
}, 60_000);

afterAll(async () => {
  await registry?.[Symbol.asyncDispose]();
  await repo?.[Symbol.asyncDispose]();
  await rm(packDir, { recursive: true, force: true });
});

async function manifestOf(pkg: string) {
  return Bun.file(join(repo.dir, "packages", pkg, "package.json")).json();
}

describe("bun run release --dry-run", () => {
  let run: Awaited<ReturnType<typeof bunRun>>;
  beforeAll(async () => {
    const env = cleanEnv({ BUN_CONFIG_REGISTRY: registry.url });
    run = await bunRun(repo.dir, ["release", "--dry-run", "--pack-dir", packDir], env);
  });

  it("succeeds and prints name@version size for the one package to release", () => {
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^@pool\/http@0\.1\.0 \d+(\.\d+)? kB$/m);
    expect(run.stdout).toMatch(/^@pool\/core@0\.0\.0 skipped: already published/m);
    expect(run.stdout).toMatch(/^@pool\/sqlite@0\.0\.0 skipped: already published/m);
  });

  it("uploads nothing: the registry saw reads of each package and no PUT", () => {
    expect(registry.uploads()).toEqual([]);
    expect(registry.requests.every((r) => r.method === "GET")).toBe(true);
    expect(registry.requests.map((r) => r.name).sort()).toEqual([
      "@pool/core",
      "@pool/http",
      "@pool/sqlite",
    ]);
  });

  it("packs only @pool/http, bumped, with its changelog entry, built files and a ^ range on core", async () => {
    expect(await readdir(packDir)).toEqual(["pool-http-0.1.0.tgz"]);
    const { files, manifest } = await readTarball(join(packDir, "pool-http-0.1.0.tgz"));
    expect(manifest.version).toBe("0.1.0");
    expect(manifest.dependencies).toEqual({ "@pool/core": "^0.0.0" });
    const changelog = new TextDecoder().decode(files.get("CHANGELOG.md"));
    expect(changelog).toContain("## 0.1.0");
    expect(changelog).toContain("Rehearsal entry: streams request bodies.");
    for (const file of [
      "dist/index.js",
      "dist/index.d.ts",
      "src/index.ts",
      "LICENSE",
      "README.md",
    ]) {
      expect(files.has(file)).toBe(true);
    }
    expect([...files.keys()].some((f) => f.endsWith(".test.ts"))).toBe(false);
  });

  it("versions a scratch copy and leaves the tree as it was", async () => {
    expect(await repo.git("status", "--porcelain")).toBe("");
    expect((await manifestOf("http")).version).toBe("0.0.0");
    expect(await Bun.file(join(repo.dir, ".changeset", "http-only.md")).exists()).toBe(true);
  });
});

describe("bun run release:dry --in-place", () => {
  it("versions the tree itself: only @pool/http is bumped and gets a changelog", async () => {
    const env = cleanEnv({ npm_config_registry: registry.url });
    const before = registry.requests.length;
    const run = await bunRun(repo.dir, ["release:dry", "--in-place"], env);
    expect(run.exitCode).toBe(0);
    expect((await manifestOf("http")).version).toBe("0.1.0");
    expect((await manifestOf("core")).version).toBe("0.0.0");
    expect((await manifestOf("sqlite")).version).toBe("0.0.0");
    expect(await Bun.file(join(repo.dir, "packages/http/CHANGELOG.md")).exists()).toBe(true);
    expect(await Bun.file(join(repo.dir, "packages/core/CHANGELOG.md")).exists()).toBe(false);
    expect(await Bun.file(join(repo.dir, ".changeset", "http-only.md")).exists()).toBe(false);
    expect(registry.requests.length).toBeGreaterThan(before); // npm_config_registry was honoured
    expect(registry.uploads()).toEqual([]);
  });
});

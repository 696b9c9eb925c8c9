import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { findUnreleasedChanges } from "../release/unreleased-changes.ts";
import {
  bunRun,
  cleanEnv,
  dropPendingChangesets,
  makeTempRepo,
  type TempRepo,
  versionTempRepo,
} from "./temp-repo.ts";

let repo: TempRepo;

beforeAll(async () => {
  repo = await makeTempRepo();
}, 60_000);
afterAll(() => repo?.[Symbol.asyncDispose]());

const check = () => bunRun(repo.dir, ["changeset-check"], cleanEnv());

async function uncovered(): Promise<string[]> {
  const { packages } = await findUnreleasedChanges(repo.dir);
  return packages.filter((p) => p.changes.length > 0 && !p.covered).map((p) => p.name);
}

async function append(path: string, text: string) {
  const file = join(repo.dir, path);
  await Bun.write(file, `${await Bun.file(file).text()}${text}`);
}

async function editManifest(pkg: string, edit: (m: Record<string, unknown>) => void) {
  const file = join(repo.dir, "packages", pkg, "package.json");
  const manifest = await Bun.file(file).json();
  edit(manifest);
  await Bun.write(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

describe("bun run changeset-check", () => {
  it("passes on the repository as it is (no tags yet, changesets pending)", async () => {
    const run = await check();
    expect(run.stderr).not.toContain("CHANGESET_MISSING");
    expect(run.exitCode).toBe(0);
  });

  it("passes a release that was versioned and tagged, and nothing changed since", async () => {
    await versionTempRepo(repo);
    for (const pkg of ["core", "http", "sqlite"]) {
      const { name, version } = await Bun.file(
        join(repo.dir, "packages", pkg, "package.json"),
      ).json();
      await repo.git("tag", "-a", `${name}@${version}`, "-m", `${name}@${version}`);
    }
    expect(await readdirChangesets()).toEqual([]);
    expect((await check()).exitCode).toBe(0);
  });

  it("fails, naming the package, when its source changed since its release tag", async () => {
    await append("packages/core/src/index.ts", "\nexport const added = 1;\n");
    await repo.commitAll("a user-visible change to @pool/core without a changeset");
    const run = await check();
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(
      /CHANGESET_MISSING: @pool\/core changed since release tag @pool\/core@/,
    );
    expect(run.stderr).toContain("src/index.ts");
    expect(await uncovered()).toEqual(["@pool/core"]);
  });

  it("passes again once a pending changeset names the package", async () => {
    await Bun.write(
      join(repo.dir, ".changeset", "core-added.md"),
      `---\n"@pool/core": minor\n---\n\nExport \`added\`.\n`,
    );
    expect((await check()).exitCode).toBe(0);
  });

  it("counts uncommitted and untracked source, not tests, scripts or devDependencies", async () => {
    await dropPendingChangesets(repo.dir);
    await repo.git("checkout", "--", ".");
    await repo.git("reset", "-q", "--hard", "HEAD~1"); // back to the tagged release
    expect(await uncovered()).toEqual([]);

    await Bun.write(join(repo.dir, "packages/http/src/new-thing.test.ts"), "// a test only\n");
    await editManifest("http", (m) => {
      (m.scripts as Record<string, string>).extra = "true";
      (m.devDependencies as Record<string, string>)["left-pad"] = "1.3.0";
    });
    expect(await uncovered()).toEqual([]);

    await Bun.write(join(repo.dir, "packages/http/src/new-thing.ts"), "export const x = 1;\n");
    expect(await uncovered()).toEqual(["@pool/http"]);
    await rm(join(repo.dir, "packages/http/src/new-thing.ts"));

    await editManifest("sqlite", (m) => {
      m.dependencies = { ...(m.dependencies as object), "left-pad": "1.3.0" };
    });
    expect(await uncovered()).toEqual(["@pool/sqlite"]);
  });

  it("counts from a merged version bump awaiting publish, not from the older tag", async () => {
    await repo.git("checkout", "--", ".");
    await rm(join(repo.dir, "packages/http/src/new-thing.test.ts"));
    await Bun.write(
      join(repo.dir, ".changeset", "sqlite-fix.md"),
      `---\n"@pool/sqlite": patch\n---\n\nA fix.\n`,
    );
    await append("packages/sqlite/src/index.ts", "\n// fixed\n");
    await repo.commitAll("a fix with its changeset");
    await versionTempRepo(repo); // "Version Packages" merged; not published or tagged yet
    expect(await uncovered()).toEqual([]);
    const { packages } = await findUnreleasedChanges(repo.dir);
    expect(packages.find((p) => p.name === "@pool/sqlite")?.base.why).toMatch(/^version bump/);

    await append("packages/sqlite/src/index.ts", "\n// and another change\n");
    expect(await uncovered()).toEqual(["@pool/sqlite"]);
  });
});

async function readdirChangesets(): Promise<string[]> {
  return [...new Bun.Glob(".changeset/*.md").scanSync({ cwd: repo.dir, dot: true })].filter(
    (f) => !f.endsWith("README.md"),
  );
}

import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { changesetCommand, readPendingChangesets } from "./changesets.ts";
import { buildPackage, packPackage } from "./pack.ts";
import { publishTarball } from "./publish.ts";
import { defaultNpmrcFiles, fetchPublishedVersions, resolveRegistry } from "./registry.ts";
import { ReleaseError } from "./release-error.ts";
import { mustRun } from "./run-command.ts";
import { makeScratchCopy, type ScratchCopy } from "./scratch-copy.ts";
import { readTarball } from "./tarball.ts";
import { checkTarball, type TarballProblem } from "./tarball-check.ts";
import {
  inReleaseOrder,
  readWorkspacePackages,
  type WorkspacePackage,
} from "./workspace-packages.ts";

/** What {@link runRelease} does. */
export interface ReleaseRun {
  /** The repository root. */
  root: string;
  /** Stop short of uploading and tagging. */
  dryRun: boolean;
  /** With `dryRun`: version and build `root` itself instead of a scratch copy. */
  inPlace?: boolean;
  /** Keep the tarballs here; by default they go to a temporary folder that is removed. */
  packDir?: string | undefined;
  /** Environment for registry settings and child processes; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where progress lines go; default `console.log`. */
  log?: (line: string) => void;
}

/** A package packed (and, for a real release, published). */
export interface PackedPackage {
  name: string;
  version: string;
  bytes: number;
  /** Path of the tarball; gone after the run unless `packDir` was given. */
  tarball: string;
}

/** A package left out, and why. */
export interface SkippedPackage {
  name: string;
  version: string;
  reason: string;
}

/** The outcome of a release or dry run. */
export interface ReleaseReport {
  registry: string;
  packed: PackedPackage[];
  skipped: SkippedPackage[];
  /** `name@version` of each upload that succeeded, in order; empty for a dry run. */
  published: string[];
}

/** The release checks found problems; nothing was uploaded. */
export class ReleaseCheckError extends ReleaseError {
  constructor(readonly problems: TarballProblem[]) {
    super(
      "RELEASE_CHECK_FAILED",
      `the release check failed, nothing was uploaded:\n${problems.map((p) => `  ${p.code} ${p.detail}`).join("\n")}`,
    );
  }
}

/** An upload failed part-way; says which versions are on the registry and which are not. */
export class ReleasePublishError extends ReleaseError {
  constructor(
    readonly published: string[],
    readonly unpublished: string[],
    output: string,
  ) {
    super(
      "RELEASE_PUBLISH_FAILED",
      `publishing ${unpublished[0]} failed.\n  published: ${published.join(", ") || "nothing"}\n  not published: ${unpublished.join(", ")}\nFix the cause and run the release again: versions already on the registry are skipped.\n${output}`,
    );
  }
}

/** "171.6 kB", as registries and `npm pack` print sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(2)} MB`;
}

async function assertCommittedPackages(root: string, packages: WorkspacePackage[]): Promise<void> {
  const dirs = packages.map((p) => relative(root, p.dir));
  const { stdout } = await mustRun(
    ["git", "status", "--porcelain", "--untracked-files=all", "--", ...dirs, ".changeset"],
    { cwd: root },
    "git status",
  );
  if (stdout.trim()) {
    throw new ReleaseError(
      "RELEASE_DIRTY_TREE",
      `refusing to publish uncommitted changes (the tags would not describe them):\n${stdout.trimEnd()}`,
    );
  }
}

async function listTags(root: string): Promise<Set<string>> {
  const { stdout } = await mustRun(["git", "tag", "--list"], { cwd: root }, "git tag --list");
  return new Set(stdout.split("\n").filter(Boolean));
}

/**
 * Tags every public package's current version that has no tag yet (`changeset git-tag`), which
 * also covers a version published by an earlier run that failed before tagging. Returns the new
 * tags: changesets/action reads "New tag: name@version" lines from the release's output to push
 * tags and write GitHub releases, and @changesets/cli 3 no longer prints them itself.
 */
async function tagReleases(
  root: string,
  env: Record<string, string | undefined>,
): Promise<string[]> {
  const before = await listTags(root);
  await mustRun(changesetCommand(root, ["git-tag"]), { cwd: root, env }, "changeset git-tag");
  return [...(await listTags(root))].filter((tag) => !before.has(tag)).sort();
}

/**
 * Releases every public workspace package whose version is not on the registry yet: in a dry
 * run, `changeset version` first (in a scratch copy unless `inPlace`); then build, pack and
 * check every tarball, and only when all pass, upload them in dependency order and tag with
 * `changeset git-tag`. A dry run uploads nothing whatever the environment says: it only ever runs
 * `bun publish --dry-run`.
 *
 * @example
 * const report = await runRelease({ root: "/work/main", dryRun: true });
 * for (const p of report.packed) console.log(`${p.name}@${p.version} ${formatBytes(p.bytes)}`);
 */
export async function runRelease(run: ReleaseRun): Promise<ReleaseReport> {
  const env = run.env ?? process.env;
  const log = run.log ?? ((line: string) => console.log(line));
  const root = resolve(run.root);
  const registry = await resolveRegistry({ env, npmrcFiles: defaultNpmrcFiles(root) });
  const token = env.NPM_CONFIG_TOKEN || env.npm_config_token;

  let scratch: ScratchCopy | undefined;
  const packDir = run.packDir ? resolve(run.packDir) : await mkdtemp(join(tmpdir(), "pool-tgz-"));
  await mkdir(packDir, { recursive: true });
  try {
    if (run.dryRun && !run.inPlace) scratch = await makeScratchCopy(root);
    const tree = scratch?.dir ?? root;

    const pending = await readPendingChangesets(tree);
    if (pending.length > 0) {
      if (!run.dryRun) {
        throw new ReleaseError(
          "RELEASE_PENDING_CHANGESETS",
          `${pending.length} changesets are pending (${pending.map((c) => c.file).join(", ")}): run \`bun run version-packages\`, commit, then release`,
        );
      }
      log(
        `changeset version (${scratch ? "in a scratch copy" : "in this tree"}): ${pending.length} changesets`,
      );
      await mustRun(changesetCommand(tree, ["version"]), { cwd: tree, env }, "changeset version");
    }

    const all = inReleaseOrder(await readWorkspacePackages(tree));
    const internal = new Map(all.map((p) => [p.name, p.version]));
    const candidates: WorkspacePackage[] = [];
    const skipped: SkippedPackage[] = [];
    for (const pkg of all) {
      if (pkg.private) {
        skipped.push({ name: pkg.name, version: pkg.version, reason: "private" });
        continue;
      }
      const known = await fetchPublishedVersions(registry, pkg.name, { token });
      if (known.unreachable) {
        log(
          `note: could not ask the registry (${known.unreachable}); counting ${pkg.name}@${pkg.version} as unpublished`,
        );
      }
      if (known.versions.has(pkg.version)) {
        skipped.push({
          name: pkg.name,
          version: pkg.version,
          reason: `already published on ${registry}`,
        });
      } else {
        candidates.push(pkg);
      }
    }
    if (!run.dryRun) await assertCommittedPackages(tree, candidates);

    const packed: PackedPackage[] = [];
    const problems: TarballProblem[] = [];
    for (const pkg of candidates) {
      await buildPackage(pkg);
      const tarball = await packPackage(pkg, packDir);
      const contents = await readTarball(tarball.path);
      const files = contents.files.keys();
      problems.push(...checkTarball({ files, manifest: contents.manifest }, pkg, internal));
      packed.push({
        name: pkg.name,
        version: pkg.version,
        bytes: tarball.bytes,
        tarball: tarball.path,
      });
    }
    if (problems.length > 0) throw new ReleaseCheckError(problems);

    // Public packages in release order, then the private workspaces (the apps).
    for (const pkg of [...all.filter((p) => !p.private), ...all.filter((p) => p.private)]) {
      const p = packed.find((x) => x.name === pkg.name);
      const s = skipped.find((x) => x.name === pkg.name);
      if (p) log(`${p.name}@${p.version} ${formatBytes(p.bytes)}`);
      else if (s) log(`${s.name}@${s.version} skipped: ${s.reason}`);
    }

    const published: string[] = [];
    for (const [i, p] of packed.entries()) {
      const result = await publishTarball(p.tarball, p.version, {
        registry,
        dryRun: run.dryRun,
        cwd: tree,
        env,
      });
      if (result.exitCode !== 0) {
        const output = `${result.stdout}${result.stderr}`.trim().split("\n").slice(-15).join("\n");
        if (run.dryRun) {
          throw new ReleaseError(
            "RELEASE_COMMAND_FAILED",
            `bun publish --dry-run rejected ${p.name}@${p.version}:\n${output}`,
          );
        }
        const rest = packed.slice(i).map((x) => `${x.name}@${x.version}`);
        throw new ReleasePublishError(published, rest, output);
      }
      if (!run.dryRun) {
        published.push(`${p.name}@${p.version}`);
        log(`published ${p.name}@${p.version} to ${registry}`);
      }
    }

    if (run.dryRun) {
      log(
        `dry run: ${packed.length} packages built, packed and checked; nothing was uploaded to ${registry}`,
      );
    } else {
      for (const tag of await tagReleases(tree, env)) log(`New tag: ${tag}`);
    }
    return { registry, packed, skipped, published };
  } finally {
    await scratch?.[Symbol.asyncDispose]();
    if (!run.packDir) await rm(packDir, { recursive: true, force: true });
  }
}

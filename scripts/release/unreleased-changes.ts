import { relative } from "node:path";
import { readPendingChangesets } from "./changesets.ts";
import { runCommand } from "./run-command.ts";
import { readWorkspacePackages, type WorkspacePackage } from "./workspace-packages.ts";

/** package.json fields that do not reach users (or are the release's own business). */
const UNSHIPPED_FIELDS = new Set(["version", "scripts", "devDependencies"]);

/** What changed in one public package since its last release. */
export interface PackageChanges {
  name: string;
  /** The commit compared against, and why that one. */
  base: { commit: string; why: string };
  /** Changed source files (relative to the package) and changed package.json fields. */
  changes: string[];
  /** Whether a pending changeset names the package. */
  covered: boolean;
}

/** The outcome of {@link findUnreleasedChanges}. */
export interface UnreleasedChanges {
  packages: PackageChanges[];
  /** Why the check could not be trusted fully (shallow clone, no git), if so. */
  warnings: string[];
}

async function git(root: string, args: string[]): Promise<string | undefined> {
  const result = await runCommand(["git", ...args], { cwd: root });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

function isSource(file: string): boolean {
  return file.startsWith("src/") && !/\.test\.[cm]?[jt]sx?$/.test(file);
}

async function versionAt(root: string, commit: string, path: string) {
  const text = await git(root, ["show", `${commit}:${path}`]);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * The commit a package's changes are counted from: its newest release tag `name@version`, or,
 * when newer, the commit that last bumped its version (a merged "Version Packages" change whose
 * changelog already covers everything before it, awaiting publish), or else the first commit.
 */
async function baseOf(root: string, pkg: WorkspacePackage): Promise<PackageChanges["base"]> {
  const candidates: PackageChanges["base"][] = [];
  const tags = (await git(root, ["tag", "--list", `${pkg.name}@*`]))?.split("\n").filter(Boolean);
  const versions = (tags ?? []).map((t) => t.slice(pkg.name.length + 1));
  const valid = versions.filter((v) => /^\d+\.\d+\.\d+/.test(v));
  const newest = valid.sort((a, b) => Bun.semver.order(a, b)).at(-1);
  if (newest) {
    const commit = await git(root, ["rev-list", "-n", "1", `${pkg.name}@${newest}`]);
    if (commit) candidates.push({ commit, why: `release tag ${pkg.name}@${newest}` });
  }
  const manifestPath = relative(root, `${pkg.dir}/package.json`);
  const touching = (await git(root, ["log", "--format=%H", "--", manifestPath]))?.split("\n") ?? [];
  for (const commit of touching.filter(Boolean)) {
    const after = await versionAt(root, commit, manifestPath);
    const before = await versionAt(root, `${commit}^`, manifestPath);
    if (before && after && before.version !== after.version) {
      candidates.push({ commit, why: `version bump to ${after.version} in ${commit.slice(0, 9)}` });
      break;
    }
  }
  let best: PackageChanges["base"] | undefined;
  for (const candidate of candidates) {
    if (!best) best = candidate;
    else if (
      candidate.commit !== best.commit &&
      (
        await runCommand(["git", "merge-base", "--is-ancestor", best.commit, candidate.commit], {
          cwd: root,
        })
      ).exitCode === 0
    ) {
      best = candidate;
    }
  }
  if (best) return best;
  const first = (await git(root, ["rev-list", "--max-parents=0", "HEAD"]))?.split("\n").at(-1);
  return { commit: first ?? "HEAD", why: "the first commit (no release tag yet)" };
}

async function changesOf(root: string, pkg: WorkspacePackage, base: string): Promise<string[]> {
  const dir = relative(root, pkg.dir);
  const diffed = (await git(root, ["diff", "--name-only", base, "--", dir])) ?? "";
  const untracked =
    (await git(root, ["ls-files", "--others", "--exclude-standard", "--", dir])) ?? "";
  const files = new Set(
    `${diffed}\n${untracked}`
      .split("\n")
      .filter(Boolean)
      .map((f) => relative(dir, f)),
  );
  const changes = [...files].filter(isSource).sort();
  const before = (await versionAt(root, base, `${dir}/package.json`)) ?? {};
  const after = pkg.manifest as Record<string, unknown>;
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (UNSHIPPED_FIELDS.has(field)) continue;
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) {
      changes.push(`package.json ${field}`);
    }
  }
  return changes;
}

/**
 * For every public workspace package, what changed in what it ships (its `src/` files other
 * than tests, and package.json fields other than version, scripts and devDependencies) since
 * its last release, and whether a pending `.changeset/*.md` names it. Working-tree and
 * untracked changes count, so the check bites before the commit. The base is the newest
 * release tag `name@version`, a later version bump, or the first commit; comparing with tags
 * is what `changeset status` on main cannot do (it compares main with itself).
 *
 * @example
 * const { packages } = await findUnreleasedChanges("/work/main");
 * const missing = packages.filter((p) => p.changes.length > 0 && !p.covered);
 */
export async function findUnreleasedChanges(root: string): Promise<UnreleasedChanges> {
  const warnings: string[] = [];
  if ((await git(root, ["rev-parse", "--is-inside-work-tree"])) !== "true") {
    return { packages: [], warnings: ["not a git work tree: nothing to compare with"] };
  }
  if ((await git(root, ["rev-parse", "--is-shallow-repository"])) === "true") {
    warnings.push(
      "the clone is shallow: changes older than its first commit are not seen (fetch the whole history, e.g. actions/checkout with fetch-depth: 0)",
    );
  }
  const named = new Set((await readPendingChangesets(root)).flatMap((c) => [...c.releases.keys()]));
  const packages: PackageChanges[] = [];
  for (const pkg of await readWorkspacePackages(root)) {
    if (pkg.private) continue;
    const base = await baseOf(root, pkg);
    const changes = await changesOf(root, pkg, base.commit);
    packages.push({ name: pkg.name, base, changes, covered: named.has(pkg.name) });
  }
  return { packages, warnings };
}

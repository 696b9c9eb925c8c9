import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readlink,
  realpath,
  rm,
  symlink,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Glob } from "bun";
import { mustRun } from "./run-command.ts";

/** A throwaway copy of the repository's working tree; removed on dispose. */
export interface ScratchCopy extends AsyncDisposable {
  dir: string;
}

/** What {@link makeScratchCopy} copies. */
export interface ScratchCopyOptions {
  /** Copy the files of the last commit instead of the working tree. */
  committed?: boolean;
}

/**
 * Copies the files of `root` under `path` that git tracks or would track (not ignored ones such
 * as dist/), as they are in the working tree.
 *
 * @example
 * await copyFiles("/work/main", "/tmp/copy", "scripts");
 */
export async function copyFiles(root: string, dir: string, path: string): Promise<void> {
  const listed = await mustRun(
    ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", path],
    { cwd: root },
    "list the files of the tree",
  );
  const files = listed.stdout.split("\0").filter((f) => f && !/(^|\/)node_modules(\/|$)/.test(f));
  for (const file of new Set(files)) {
    const source = join(root, file);
    const stat = await lstat(source).catch(() => undefined); // deleted but still tracked
    if (!stat) continue;
    const target = join(dir, file);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    if (stat.isSymbolicLink()) await symlink(await readlink(source), target);
    else if (stat.isFile()) await copyFile(source, target);
  }
}

async function extractCommitted(root: string, dir: string): Promise<void> {
  const tar = join(dir, ".head.tar");
  await mustRun(
    ["git", "archive", "--format=tar", "-o", tar, "HEAD"],
    { cwd: root },
    "git archive",
  );
  await mustRun(["tar", "-xf", tar, "-C", dir], { cwd: dir }, "extract the last commit");
  await rm(tar);
}

/** Copies a folder, recreating symlinks as they are (relative ones then point inside the copy). */
async function copyKeepingLinks(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else if (entry.isDirectory()) await copyKeepingLinks(source, target);
    else await copyFile(source, target);
  }
}

/**
 * Copies the working tree of `root` (tracked and untracked files that git does not ignore, so
 * not `dist/` or `.git`) into a temporary folder, for a dry run to version, build and pack
 * without touching the tree. It reuses the tree's installed dependencies instead of installing
 * again: the root `node_modules` becomes a link to the tree's, and each workspace's own
 * `node_modules` (links into the root store and to sibling workspaces) is copied as links, so
 * `@pool/core` inside the copy resolves to the copy's `packages/core`.
 *
 * @example
 * await using scratch = await makeScratchCopy("/work/main");
 * await mustRun(["bun", "run", "build"], { cwd: join(scratch.dir, "packages/core") }, "build");
 */
export async function makeScratchCopy(
  root: string,
  options: ScratchCopyOptions = {},
): Promise<ScratchCopy> {
  const dir = await mkdtemp(join(tmpdir(), "pool-release-"));
  try {
    if (options.committed) await extractCommitted(root, dir);
    else await copyFiles(root, dir, ".");
    await symlink(await realpath(join(root, "node_modules")), join(dir, "node_modules"));
    const manifest = await Bun.file(join(root, "package.json")).json();
    const patterns: string[] = Array.isArray(manifest.workspaces)
      ? manifest.workspaces
      : (manifest.workspaces?.packages ?? []);
    for (const pattern of patterns) {
      for (const file of new Glob(`${pattern}/node_modules`).scanSync({
        cwd: root,
        onlyFiles: false,
      })) {
        await copyKeepingLinks(join(root, file), join(dir, file));
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    async [Symbol.asyncDispose]() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

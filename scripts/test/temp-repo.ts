import { rm } from "node:fs/promises";
import { join } from "node:path";
import { changesetCommand } from "../release/changesets.ts";
import { mustRun, runCommand } from "../release/run-command.ts";
import { copyFiles, makeScratchCopy } from "../release/scratch-copy.ts";

/** The repository these tests belong to. */
export const REPO_ROOT = join(import.meta.dir, "..", "..");

/** A throwaway git repository holding a copy of this repository's working tree. */
export interface TempRepo extends AsyncDisposable {
  dir: string;
  /** Runs git in the copy; throws on failure. */
  git(...args: string[]): Promise<string>;
  /** Commits everything in the copy. */
  commitAll(message: string): Promise<void>;
}

/** An environment without registry settings or tokens from the caller's shell. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(bun_config_registry|npm_config_.*)$/i.test(key)) delete env[key];
  }
  return { ...env, ...extra };
}

/**
 * Copies the last commit of this repository, with the working tree's `scripts/` (the release
 * tooling under test) on top and links to the installed node_modules, into a temporary folder,
 * and makes it a git repository of one commit with no tags. The packages come from the commit
 * so that another engineer's half-made edit cannot fail these tests.
 *
 * @example
 * await using repo = await makeTempRepo();
 * await Bun.write(join(repo.dir, ".changeset/x.md"), '---\n"@pool/http": minor\n---\n\nX.');
 */
export async function makeTempRepo(): Promise<TempRepo> {
  const scratch = await makeScratchCopy(REPO_ROOT, { committed: true });
  await copyFiles(REPO_ROOT, scratch.dir, "scripts");
  const git = async (...args: string[]) => {
    const proc = Bun.spawn(["git", ...args], {
      cwd: scratch.dir,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    if (code !== 0) throw new Error(`git ${args.join(" ")} failed: ${err}`);
    return out.trim();
  };
  await git("init", "-q", "-b", "main");
  // The root node_modules is a link here, which the tree's "node_modules/" pattern misses.
  await Bun.write(join(scratch.dir, ".git", "info", "exclude"), "node_modules\n");
  await git("config", "user.name", "Release Test");
  await git("config", "user.email", "release-test@127.0.0.1");
  await git("config", "commit.gpgsign", "false");
  await git("config", "tag.gpgsign", "false");
  const repo: TempRepo = {
    dir: scratch.dir,
    git,
    async commitAll(message) {
      await git("add", "-A");
      await git("commit", "-q", "--allow-empty", "-m", message);
    },
    [Symbol.asyncDispose]: () => scratch[Symbol.asyncDispose](),
  };
  await repo.commitAll("copy of the working tree");
  return repo;
}

/** Deletes every pending changeset of a repository copy. */
export async function dropPendingChangesets(dir: string): Promise<void> {
  for (const file of new Bun.Glob(".changeset/*.md").scanSync({ cwd: dir, dot: true })) {
    if (!file.toLowerCase().endsWith("readme.md")) await rm(join(dir, file));
  }
}

/** Runs `bun run <args>` in `cwd` and captures everything. */
export function bunRun(cwd: string, args: string[], env: Record<string, string | undefined>) {
  return runCommand([process.execPath, "run", ...args], { cwd, env });
}

/**
 * Applies the pending changesets of a repository copy and commits, as merging the "Version
 * Packages" pull request does; the packages then await publishing.
 */
export async function versionTempRepo(repo: TempRepo): Promise<void> {
  // Not `bun run version-packages`: its `bun install` would write through the node_modules
  // link into the real tree's install.
  await mustRun(changesetCommand(repo.dir, ["version"]), { cwd: repo.dir }, "changeset version");
  await repo.commitAll("Version Packages");
}

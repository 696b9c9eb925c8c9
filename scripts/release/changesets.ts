import { join } from "node:path";
import { Glob } from "bun";

/** A `.changeset/*.md` file not yet consumed by `changeset version`. */
export interface PendingChangeset {
  /** Path relative to the repository root. */
  file: string;
  /** Package name → bump type (`major`, `minor`, `patch`, `none`). */
  releases: Map<string, string>;
}

/**
 * The packages a changeset's front matter names, with their bump types. Accepts the quoting
 * styles changesets writes and reads (`"@pool/core": minor`, `'x': patch`, `x: major`).
 *
 * @example
 * parseChangesetReleases('---\n"@pool/http": minor\n---\n\nStreams bodies.');
 * // Map { "@pool/http" => "minor" }
 */
export function parseChangesetReleases(text: string): Map<string, string> {
  const releases = new Map<string, string>();
  const front = text.replace(/\r\n/g, "\n").match(/^\s*---\n([\s\S]*?)\n?---/);
  if (!front) return releases;
  for (const line of front[1]!.split("\n")) {
    const match = line.trim().match(/^(["']?)(.+?)\1\s*:\s*(\w+)\s*$/);
    if (match) releases.set(match[2]!, match[3]!);
  }
  return releases;
}

/**
 * The changesets waiting in `<root>/.changeset` (every `.md` but its README).
 *
 * @example
 * const pending = await readPendingChangesets(root);
 * const named = new Set(pending.flatMap((c) => [...c.releases.keys()]));
 */
export async function readPendingChangesets(root: string): Promise<PendingChangeset[]> {
  const found: PendingChangeset[] = [];
  for (const file of new Glob(".changeset/*.md").scanSync({ cwd: root, dot: true })) {
    if (file.toLowerCase().endsWith("/readme.md")) continue;
    const releases = parseChangesetReleases(await Bun.file(join(root, file)).text());
    found.push({ file, releases });
  }
  return found.sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * The command line that runs the repository's @changesets/cli under Bun's runtime (it crashes
 * under Node 20), resolved from `root` so a scratch copy uses the tree's node_modules and never
 * reaches a registry to fetch it.
 *
 * @example
 * await mustRun(changesetCommand(root, ["version"]), { cwd: root }, "changeset version");
 */
export function changesetCommand(root: string, args: string[]): string[] {
  return [process.execPath, join(root, "node_modules", "@changesets", "cli", "bin.js"), ...args];
}

import { type CommandResult, runCommand } from "./run-command.ts";

/** How {@link publishTarball} uploads, or pretends to. */
export interface PublishOptions {
  registry: string;
  /** Pass `--dry-run` to `bun publish`: it packs and lists, and sends nothing. */
  dryRun: boolean;
  cwd: string;
  env: Record<string, string | undefined>;
}

/** The dist-tag for a version: `latest`, or the prerelease id (`1.0.0-beta.2` → `beta`). */
export function distTagFor(version: string): string {
  const pre = version.split("+")[0]!.split("-").slice(1).join("-");
  return pre ? (pre.match(/^[A-Za-z][\w-]*/)?.[0] ?? "next") : "latest";
}

/**
 * Uploads an already checked tarball with `bun publish <tgz>` to `registry` (named explicitly,
 * so the upload goes where the version check asked). With `dryRun`, bun is told `--dry-run`
 * and gets a placeholder token when none is set, since it refuses to rehearse without one.
 *
 * @example
 * const result = await publishTarball(tgz, { registry, dryRun: true, cwd: root, env: process.env });
 * if (result.exitCode !== 0) console.error(result.stderr);
 */
export async function publishTarball(
  tarball: string,
  version: string,
  options: PublishOptions,
): Promise<CommandResult> {
  const cmd = [process.execPath, "publish", "--registry", options.registry];
  cmd.push("--tag", distTagFor(version));
  const env = { ...options.env };
  if (options.dryRun) {
    cmd.push("--dry-run");
    if (!env.NPM_CONFIG_TOKEN && !env.npm_config_token) env.NPM_CONFIG_TOKEN = "dry-run-no-token";
  }
  cmd.push(tarball);
  return runCommand(cmd, { cwd: options.cwd, env });
}

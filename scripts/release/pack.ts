import { mustRun } from "./run-command.ts";
import type { WorkspacePackage } from "./workspace-packages.ts";

/** A tarball written by {@link packPackage}. */
export interface PackedTarball {
  path: string;
  bytes: number;
}

/**
 * Builds a package with its own `build` script, always: packing whatever `dist/` happens to be
 * lying around is how a tarball without its `import` target gets published.
 *
 * @example
 * await buildPackage(pkg); // runs `bun run build` in pkg.dir
 */
export async function buildPackage(pkg: WorkspacePackage): Promise<void> {
  const scripts = (pkg.manifest.scripts ?? {}) as Record<string, string>;
  if (!scripts.build) return;
  await mustRun([process.execPath, "run", "build"], { cwd: pkg.dir }, `build ${pkg.name}`);
}

/**
 * Packs a package with `bun pm pack`, which rewrites `workspace:` ranges to the versions in the
 * tree, exactly as `bun publish` would.
 *
 * @example
 * const { path, bytes } = await packPackage(pkg, "/tmp/tarballs");
 */
export async function packPackage(pkg: WorkspacePackage, outDir: string): Promise<PackedTarball> {
  const { stdout } = await mustRun(
    [process.execPath, "pm", "pack", "--destination", outDir, "--quiet"],
    { cwd: pkg.dir },
    `pack ${pkg.name}`,
  );
  const path = stdout.trim().split("\n").at(-1)!.trim();
  return { path, bytes: Bun.file(path).size };
}

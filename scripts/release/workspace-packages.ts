import { dirname, join } from "node:path";
import { Glob } from "bun";
import { ReleaseError } from "./release-error.ts";

/** A package.json, as far as releasing reads it. */
export type Manifest = Record<string, unknown> & {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};

/** One workspace of the repository. */
export interface WorkspacePackage {
  name: string;
  version: string;
  /** Absolute path of the package's folder. */
  dir: string;
  private: boolean;
  manifest: Manifest;
}

/** The dependency fields that constrain what users install (devDependencies do not). */
export const RUNTIME_DEPENDENCY_FIELDS = [
  "dependencies",
  "peerDependencies",
  "optionalDependencies",
] as const;

/**
 * Reads every workspace named by the root package.json's `workspaces` globs.
 *
 * @example
 * const packages = await readWorkspacePackages("/work/main");
 * packages.filter((p) => !p.private).map((p) => p.name); // ["@pool/core", "@pool/http", ...]
 */
export async function readWorkspacePackages(root: string): Promise<WorkspacePackage[]> {
  const rootManifest = await Bun.file(join(root, "package.json")).json();
  const patterns: string[] = Array.isArray(rootManifest.workspaces)
    ? rootManifest.workspaces
    : (rootManifest.workspaces?.packages ?? []);
  const packages: WorkspacePackage[] = [];
  for (const pattern of patterns) {
    for (const file of new Glob(`${pattern}/package.json`).scanSync(root)) {
      if (file.includes("node_modules")) continue;
      const manifest = (await Bun.file(join(root, file)).json()) as Manifest;
      packages.push({
        name: manifest.name,
        version: manifest.version,
        dir: join(root, dirname(file)),
        private: manifest.private === true,
        manifest,
      });
    }
  }
  return packages.sort((a, b) => a.name.localeCompare(b.name));
}

/** The names of the other workspaces that `pkg` needs at run time. */
export function internalDependencies(
  pkg: WorkspacePackage,
  names: ReadonlySet<string>,
): Set<string> {
  const found = new Set<string>();
  for (const field of RUNTIME_DEPENDENCY_FIELDS) {
    for (const dep of Object.keys(pkg.manifest[field] ?? {})) {
      if (names.has(dep) && dep !== pkg.name) found.add(dep);
    }
  }
  return found;
}

/**
 * Orders packages so each comes after the workspaces it depends on (`@pool/core` before
 * `@pool/sqlite`), ties by name, so a release that stops part-way never leaves a published
 * package pointing at an unpublished dependency. A cycle fails with `RELEASE_DEPENDENCY_CYCLE`.
 *
 * @example
 * inReleaseOrder(await readWorkspacePackages(root)).map((p) => p.name);
 * // ["@pool/core", "@pool/http", "@pool/sqlite", ...]
 */
export function inReleaseOrder(packages: readonly WorkspacePackage[]): WorkspacePackage[] {
  const names = new Set(packages.map((p) => p.name));
  const waitingOn = new Map(packages.map((p) => [p.name, internalDependencies(p, names)]));
  const ordered: WorkspacePackage[] = [];
  const remaining = [...packages].sort((a, b) => a.name.localeCompare(b.name));
  while (remaining.length > 0) {
    const next = remaining.findIndex((p) => waitingOn.get(p.name)!.size === 0);
    if (next < 0) {
      throw new ReleaseError(
        "RELEASE_DEPENDENCY_CYCLE",
        `these packages depend on each other in a cycle: ${remaining.map((p) => p.name).join(", ")}`,
      );
    }
    const [pkg] = remaining.splice(next, 1);
    ordered.push(pkg!);
    for (const deps of waitingOn.values()) deps.delete(pkg!.name);
  }
  return ordered;
}

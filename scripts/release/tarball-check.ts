import { Glob } from "bun";
import { RUNTIME_DEPENDENCY_FIELDS } from "./workspace-packages.ts";

/** The stable codes of {@link TarballProblem}. */
export type TarballProblemCode =
  | "TARBALL_WRONG_PACKAGE"
  | "TARBALL_MISSING_TARGET"
  | "TARBALL_WORKSPACE_RANGE"
  | "TARBALL_INTERNAL_RANGE"
  | "TARBALL_MISSING_FILE";

/** One reason a tarball must not be uploaded. */
export interface TarballProblem {
  code: TarballProblemCode;
  /** `name@version` of the tarball. */
  package: string;
  detail: string;
}

/** What {@link checkTarball} looks at: the packed file list and package.json. */
export interface PackedContents {
  files: Iterable<string>;
  manifest: Record<string, unknown>;
}

const REQUIRED_FILES: [label: string, pattern: RegExp][] = [
  ["README", /^readme(\.(md|markdown|txt))?$/i],
  ["LICENSE", /^(license|licence)(\.(md|txt))?$/i],
  ["CHANGELOG", /^changelog\.md$/i],
];

/** Every file path a manifest points at, with the field that names it. */
function targets(manifest: Record<string, unknown>): [field: string, path: string][] {
  const found: [string, string][] = [];
  const walk = (field: string, value: unknown) => {
    if (typeof value === "string") found.push([field, value]);
    else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(`${field}[${i}]`, v);
    } else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        walk(/^\w+$/.test(key) ? `${field}.${key}` : `${field}[${JSON.stringify(key)}]`, inner);
      }
    }
  };
  for (const field of ["main", "module", "types", "typings", "bin", "exports"]) {
    walk(field, manifest[field]);
  }
  return found;
}

function present(target: string, files: ReadonlySet<string>): boolean {
  const path = target.replace(/^\.\//, "");
  if (path.includes("*")) {
    const glob = new Glob(path);
    for (const file of files) if (glob.match(file)) return true;
    return false;
  }
  if (path.endsWith("/")) return [...files].some((f) => f.startsWith(path));
  return files.has(path);
}

function workspaceRanges(value: unknown, at: string, out: string[]): void {
  if (typeof value === "string" && value.startsWith("workspace:")) out.push(`${at}: ${value}`);
  else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) workspaceRanges(inner, `${at}.${key}`, out);
  }
}

const EXACT_VERSION = /^=?v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * Checks one packed tarball before anything is uploaded: it is the package and version being
 * released; every `main`/`module`/`types`/`bin`/`exports` target is in it; no `workspace:` range
 * leaked anywhere in its package.json; each dependency on another workspace package is a semver
 * range (not an exact pin) that the version being released satisfies; README, LICENSE and
 * CHANGELOG.md are in it. Returns every problem found, none when it may be uploaded.
 *
 * @example
 * const problems = checkTarball(await readTarball(tgz), { name: "@pool/http", version: "0.2.0" },
 *   new Map([["@pool/core", "0.3.0"]]));
 * if (problems.length > 0) throw new Error(problems.map((p) => p.detail).join("\n"));
 */
export function checkTarball(
  packed: PackedContents,
  expected: { name: string; version: string },
  internalVersions: ReadonlyMap<string, string>,
): TarballProblem[] {
  const id = `${expected.name}@${expected.version}`;
  const problems: TarballProblem[] = [];
  const problem = (code: TarballProblemCode, detail: string) =>
    problems.push({ code, package: id, detail: `${id}: ${detail}` });
  const files = new Set(packed.files);
  const { manifest } = packed;

  if (manifest.name !== expected.name || manifest.version !== expected.version) {
    problem("TARBALL_WRONG_PACKAGE", `package.json says ${manifest.name}@${manifest.version}`);
  }
  if (manifest.private === true) problem("TARBALL_WRONG_PACKAGE", "package.json says private");

  for (const [field, target] of targets(manifest)) {
    if (!present(target, files)) {
      problem(
        "TARBALL_MISSING_TARGET",
        `${field} points at ${target}, which is not in the tarball`,
      );
    }
  }

  const leaked: string[] = [];
  workspaceRanges(manifest, "package.json", leaked);
  for (const where of leaked)
    problem("TARBALL_WORKSPACE_RANGE", `${where} leaked into the tarball`);

  for (const field of RUNTIME_DEPENDENCY_FIELDS) {
    const deps = (manifest[field] ?? {}) as Record<string, string>;
    for (const [dep, range] of Object.entries(deps)) {
      const version = internalVersions.get(dep);
      if (version === undefined || range.startsWith("workspace:")) continue;
      if (EXACT_VERSION.test(range.trim())) {
        problem(
          "TARBALL_INTERNAL_RANGE",
          `${field}.${dep} is pinned to ${range}; declare it workspace:^ so users get one copy`,
        );
      } else if (!Bun.semver.satisfies(version, range)) {
        problem(
          "TARBALL_INTERNAL_RANGE",
          `${field}.${dep} is ${range}, which ${dep}@${version} being released does not satisfy`,
        );
      }
    }
  }

  for (const [label, pattern] of REQUIRED_FILES) {
    if (![...files].some((f) => pattern.test(f))) {
      problem("TARBALL_MISSING_FILE", `no ${label} file in the tarball`);
    }
  }
  return problems;
}

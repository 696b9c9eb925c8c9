import { homedir } from "node:os";
import { join } from "node:path";

/** Where packages go when nothing says otherwise. */
export const DEFAULT_REGISTRY = "https://registry.npmjs.org/";

/** Where {@link resolveRegistry} looks. */
export interface RegistrySources {
  env: Record<string, string | undefined>;
  /** `.npmrc` files, first match wins: the repository's, then the user's. */
  npmrcFiles: string[];
}

/** The `.npmrc` files bun reads for a project at `root`. */
export function defaultNpmrcFiles(root: string): string[] {
  return [join(root, ".npmrc"), join(homedir(), ".npmrc")];
}

/**
 * The registry every release request goes to, in bun's own order of precedence (measured with
 * Bun 1.4.5): `BUN_CONFIG_REGISTRY`, then `npm_config_registry` / `NPM_CONFIG_REGISTRY`, then a
 * `registry=` line of `.npmrc`, then npmjs.org. Always ends with `/`.
 *
 * @example
 * await resolveRegistry({ env: { npm_config_registry: "http://127.0.0.1:4873" }, npmrcFiles: [] });
 * // "http://127.0.0.1:4873/"
 */
export async function resolveRegistry(sources: RegistrySources): Promise<string> {
  const { env } = sources;
  let url = env.BUN_CONFIG_REGISTRY || env.npm_config_registry || env.NPM_CONFIG_REGISTRY;
  for (const file of sources.npmrcFiles) {
    if (url) break;
    const npmrc = Bun.file(file);
    if (!(await npmrc.exists())) continue;
    for (const raw of (await npmrc.text()).split("\n")) {
      const line = raw.trim();
      const match = line.match(/^registry\s*=\s*(.+)$/);
      if (match) {
        url = match[1]!.trim().replace(/\$\{(\w+)\}/g, (_, name: string) => env[name] ?? "");
        break;
      }
    }
  }
  url ||= DEFAULT_REGISTRY;
  return url.endsWith("/") ? url : `${url}/`;
}

/** What the registry said about one package. */
export interface PublishedVersions {
  versions: Set<string>;
  /** Set when the registry could not be asked; every version then counts as unpublished. */
  unreachable?: string;
}

/** How {@link fetchPublishedVersions} asks. */
export interface FetchVersionsOptions {
  timeoutMs?: number;
  /** Sent as a bearer token, for registries that want one for reads. */
  token?: string | undefined;
}

/**
 * Asks the registry which versions of `name` exist. A 404 means none; an unreachable or failing
 * registry counts every version as unpublished and says so in `unreachable` (the upload itself
 * then fails loudly if the version does exist).
 *
 * @example
 * const { versions } = await fetchPublishedVersions("https://registry.npmjs.org/", "@pool/core");
 * versions.has("0.1.0");
 */
export async function fetchPublishedVersions(
  registry: string,
  name: string,
  options: FetchVersionsOptions = {},
): Promise<PublishedVersions> {
  const url = `${registry}${name.replace("/", "%2f")}`;
  const headers: Record<string, string> = { accept: "application/vnd.npm.install-v1+json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers,
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    return { versions: new Set(), unreachable: `${url}: ${(error as Error).message}` };
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return { versions: new Set() };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { versions: new Set(), unreachable: `${url}: HTTP ${response.status}` };
  }
  const body = (await response.json().catch(() => ({}))) as { versions?: Record<string, unknown> };
  return { versions: new Set(Object.keys(body.versions ?? {})) };
}

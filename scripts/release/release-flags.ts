import { ReleaseError } from "./release-error.ts";

/** The command line of `bun run release`, parsed. */
export interface ReleaseFlags {
  /** Everything short of uploading: version, build, pack, check, `bun publish --dry-run`. */
  dryRun: boolean;
  /** With `dryRun`: run `changeset version` and the build on this tree, not a scratch copy. */
  inPlace: boolean;
  /** Keep the packed tarballs in this directory instead of a temporary one. */
  packDir: string | undefined;
  help: boolean;
}

/** Printed by `--help`. */
export const RELEASE_USAGE = `Usage: bun run release [--dry-run [--in-place]] [--pack-dir <dir>]

  (no flags)     publish every public package whose version is not on the registry yet, in
                 dependency order, after checking every tarball; then \`changeset git-tag\`.
                 Refuses pending changesets (run \`bun run version-packages\` first).
  --dry-run      do all of it except uploading and tagging: \`changeset version\` in a scratch
                 copy of this tree, build, pack, check, \`bun publish --dry-run\`.
  --in-place     with --dry-run: version and build this tree instead of a scratch copy.
  --pack-dir D   keep the tarballs in D.

The registry is $BUN_CONFIG_REGISTRY, else $npm_config_registry, else .npmrc's registry=, else
https://registry.npmjs.org/; every request, reads included, goes there.`;

/**
 * Parses the release script's own flags, so `bun run release --dry-run` can never fall through
 * to a real publish. Unknown flags fail with `RELEASE_BAD_FLAG` rather than being ignored.
 *
 * @example
 * parseReleaseFlags(["--dry-run"]); // { dryRun: true, inPlace: false, packDir: undefined, help: false }
 */
export function parseReleaseFlags(argv: readonly string[]): ReleaseFlags {
  const flags: ReleaseFlags = { dryRun: false, inPlace: false, packDir: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--dry-run") flags.dryRun = true;
    else if (arg === "--in-place") flags.inPlace = true;
    else if (arg === "--help" || arg === "-h") flags.help = true;
    else if (arg === "--pack-dir" || arg.startsWith("--pack-dir=")) {
      const value = arg === "--pack-dir" ? argv[++i] : arg.slice("--pack-dir=".length);
      if (!value || value.startsWith("-")) {
        throw new ReleaseError("RELEASE_BAD_FLAG", "--pack-dir needs a directory");
      }
      flags.packDir = value;
    } else {
      throw new ReleaseError("RELEASE_BAD_FLAG", `unknown flag ${arg}\n\n${RELEASE_USAGE}`);
    }
  }
  if (flags.inPlace && !flags.dryRun) {
    // A real release publishes the committed, already versioned tree; versioning it on the fly
    // would publish versions that no commit or tag describes.
    throw new ReleaseError("RELEASE_BAD_FLAG", "--in-place only goes with --dry-run");
  }
  return flags;
}

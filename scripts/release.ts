/**
 * `bun run release`: publishes every public package whose version is not on the registry yet,
 * after building, packing and checking all of them, then tags. `bun run release --dry-run`
 * (or `bun run release:dry`) rehearses all of it in a scratch copy and uploads nothing.
 * See RELEASE_USAGE (`--help`) and the README's "Releasing" section.
 */

import { join } from "node:path";
import { ReleaseError } from "./release/release-error.ts";
import { parseReleaseFlags, RELEASE_USAGE } from "./release/release-flags.ts";
import { runRelease } from "./release/run-release.ts";

try {
  const flags = parseReleaseFlags(process.argv.slice(2));
  if (flags.help) {
    console.log(RELEASE_USAGE);
  } else {
    await runRelease({
      root: join(import.meta.dir, ".."),
      dryRun: flags.dryRun,
      inPlace: flags.inPlace,
      packDir: flags.packDir,
    });
  }
} catch (error) {
  if (!(error instanceof ReleaseError)) throw error;
  console.error(`${error.code}: ${error.message}`);
  process.exit(1);
}

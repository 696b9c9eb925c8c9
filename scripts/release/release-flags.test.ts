import { describe, expect, it } from "bun:test";
import { ReleaseError } from "./release-error.ts";
import { parseReleaseFlags } from "./release-flags.ts";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ReleaseError);
    return (error as ReleaseError).code;
  }
  return undefined;
}

describe("parseReleaseFlags", () => {
  it("publishes for real only when no flag asks otherwise", () => {
    expect(parseReleaseFlags([])).toEqual({
      dryRun: false,
      inPlace: false,
      packDir: undefined,
      help: false,
    });
  });

  it("reads --dry-run, --in-place and both spellings of --pack-dir", () => {
    expect(parseReleaseFlags(["--dry-run", "--in-place", "--pack-dir", "out"])).toEqual({
      dryRun: true,
      inPlace: true,
      packDir: "out",
      help: false,
    });
    expect(parseReleaseFlags(["--pack-dir=x", "--dry-run"]).packDir).toBe("x");
  });

  it("rejects an unknown flag instead of ignoring it", () => {
    expect(codeOf(() => parseReleaseFlags(["--dryrun"]))).toBe("RELEASE_BAD_FLAG");
    expect(codeOf(() => parseReleaseFlags(["publish"]))).toBe("RELEASE_BAD_FLAG");
  });

  it("rejects --in-place without --dry-run and --pack-dir without a directory", () => {
    expect(codeOf(() => parseReleaseFlags(["--in-place"]))).toBe("RELEASE_BAD_FLAG");
    expect(codeOf(() => parseReleaseFlags(["--pack-dir"]))).toBe("RELEASE_BAD_FLAG");
    expect(codeOf(() => parseReleaseFlags(["--pack-dir", "--dry-run"]))).toBe("RELEASE_BAD_FLAG");
  });
});

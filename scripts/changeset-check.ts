/**
 * `bun run changeset-check` (also a step of `bun run test`): fails when a public package's
 * shipped source changed since its last release without a pending changeset naming it, so no
 * user-visible change ships without a changelog line. Add one with `bun run changeset`.
 */

import { join } from "node:path";
import { findUnreleasedChanges } from "./release/unreleased-changes.ts";

const root = join(import.meta.dir, "..");
const { packages, warnings } = await findUnreleasedChanges(root);
for (const warning of warnings) console.warn(`changeset check: warning: ${warning}`);

const missing = packages.filter((p) => p.changes.length > 0 && !p.covered);
for (const p of packages) {
  const state =
    p.changes.length === 0
      ? "unchanged"
      : `${p.changes.length} changes, ${p.covered ? "covered by a pending changeset" : "NO pending changeset"}`;
  console.log(`changeset check: ${p.name}: ${state} since ${p.base.why}`);
}
for (const p of missing) {
  const shown = p.changes.slice(0, 10).join(", ") + (p.changes.length > 10 ? ", ..." : "");
  console.error(
    `CHANGESET_MISSING: ${p.name} changed since ${p.base.why} (${shown}) and no pending .changeset/*.md names it: run \`bun run changeset\``,
  );
}
process.exit(missing.length > 0 ? 1 : 0);

/**
 * `bun run load` (from the repository root): a mixed load against a running server for a while,
 * so the dashboard at `/` shows waiters queue and drain. Start the server first (`bun run start`).
 *
 *   bun run load [--url http://127.0.0.1:3000] [--seconds 30] [--concurrency 16] [--llm-concurrency 8]
 */
import { parseArgs } from "node:util";
import { everyAppReady, formatReport, runLoad } from "./load-driver.ts";

const USAGE =
  "usage: bun run load [--url http://127.0.0.1:3000] [--seconds 30] [--concurrency 16] [--llm-concurrency 8]";

function positive(name: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(`--${name}=${value}: expected an integer from 1 to ${max}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

let values: Record<string, string | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      url: { type: "string", default: `http://127.0.0.1:${process.env.PORT || 3000}` },
      seconds: { type: "string", default: "30" },
      concurrency: { type: "string", default: "16" },
      "llm-concurrency": { type: "string", default: "8" },
    },
  }) as { values: Record<string, string | undefined> });
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
  process.exit(2);
}
const url = values.url!;
const seconds = positive("seconds", values.seconds!, 3600);
const concurrency = positive("concurrency", values.concurrency!, 1024);
const llmConcurrency = positive("llm-concurrency", values["llm-concurrency"]!, 1024);

try {
  await fetch(`${url}/health`);
} catch {
  console.error(`no server answers at ${url}: start one with \`bun run start\` (or pass --url)`);
  process.exit(1);
}
try {
  // Questions to an app still seeding would only get 503 NOT_READY.
  await everyAppReady(url, 120_000);
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}: loading anyway`);
}
console.log(
  `load: ${seconds} s against ${url}: ${concurrency} clients on search and documents, ` +
    `${llmConcurrency} asking RAG/CAG when mounted. Watch ${url}/`,
);
const report = await runLoad({ url, seconds, concurrency, llmConcurrency });
console.log(
  `done in ${report.elapsedS.toFixed(1)} s (apps mounted: ${report.apps.join(", ")}; ` +
    `the requests in flight at ${seconds} s drained after)\n${formatReport(report)}`,
);

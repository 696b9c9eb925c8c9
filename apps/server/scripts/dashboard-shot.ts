/**
 * `bun run dashboard:shot` (from the repository root): a screenshot of the dashboard under load,
 * for the README. Starts the server (the default database, a small LLM connection limit and a
 * stand-in that answers at a model's pace, so questions queue) unless `--url` names a running
 * one, drives `bun run load`'s mix, and saves the page at 1280 px wide.
 *
 *   bun run dashboard:shot [--url http://127.0.0.1:3000] [--out docs/dashboard.png] [--seconds 40]
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type ServerProcess, startServerProcess } from "../bench/server-process.ts";
import { findChromium, launchChromium } from "./chromium.ts";
import { everyAppReady, formatReport, runLoad } from "./load-driver.ts";

const REPO = join(import.meta.dir, "..", "..", "..");
const { values } = parseArgs({
  options: {
    url: { type: "string" },
    out: { type: "string", default: join(REPO, "docs", "dashboard.png") },
    seconds: { type: "string", default: "40" },
  },
});
const seconds = Number(values.seconds);
if (!Number.isInteger(seconds) || seconds < 5 || seconds > 600) {
  console.error(`--seconds=${values.seconds}: expected an integer from 5 to 600`);
  process.exit(2);
}
const executable = findChromium();
if (!executable) {
  console.error("no Chromium: install Debian's (apt-get install chromium) or set CHROMIUM_PATH");
  process.exit(1);
}
const out = resolve(values.out!);

let server: ServerProcess | undefined;
let url = values.url;
if (url === undefined) {
  console.log("starting the server (LLM_CONNECTIONS=2, STANDIN_CHUNK_DELAY_MS=25)...");
  server = await startServerProcess({
    LLM_CONNECTIONS: process.env.LLM_CONNECTIONS ?? "2",
    STANDIN_CHUNK_DELAY_MS: process.env.STANDIN_CHUNK_DELAY_MS ?? "25",
  });
  url = server.url;
}
try {
  await everyAppReady(url);
  await using browser = await launchChromium(executable);
  const page = await browser.context.newPage();
  await page.goto(`${url}/`);
  console.log(`load for ${seconds} s against ${url}; the screenshot is taken 2 s before it ends`);
  const load = runLoad({ url, seconds, concurrency: 12, llmConcurrency: 8 });
  await Bun.sleep((seconds - 2) * 1000);
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  const state = await page
    .locator("body")
    .evaluate((body) => ({ ...(body as { dataset: object }).dataset }));
  console.log(`saved ${out} (page: ${JSON.stringify(state)})`);
  console.log(formatReport(await load));
} finally {
  const code = await server?.stop();
  if (code !== undefined && code !== 0) console.error(`the server exited with ${code}`);
}

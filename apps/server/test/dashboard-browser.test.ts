import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { type ServerProcess, startServerProcess } from "../bench/server-process.ts";
import { findChromium, launchChromium } from "../scripts/chromium.ts";
import { everyAppReady, runLoad } from "../scripts/load-driver.ts";

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against the
 * server as users run it, in its own process: one LLM connection and a stand-in that answers at
 * a model's pace, so questions queue for a few seconds under load.
 */
const executable = findChromium();
const CI = process.env.CI === "true";
if (!executable) {
  console.warn(
    "dashboard browser test skipped: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)" +
      (CI ? "; CI=true, so this is a failure" : ""),
  );
}

it.if(!executable && CI)("has a Chromium to run the dashboard's browser test (CI=true)", () => {
  expect(executable).toBeDefined();
});

const ENV: Record<string, string> = {
  LLM_CONNECTIONS: "1",
  STANDIN_CHUNK_DELAY_MS: "20",
  SQLITE_WORKERS: "1",
  // Longer than stop()'s SIGKILL (15 s): a stream left open would hold the drain, and the exit
  // code would say so.
  SHUTDOWN_TIMEOUT_MS: "60000",
};

/** The page's figures, as main.ts sets them on <body>. */
async function pageState(page: Page): Promise<Record<string, string>> {
  return page
    .locator("body")
    .evaluate((b) => ({ ...(b as { dataset: Record<string, string> }).dataset }));
}

async function until(page: Page, test: (s: Record<string, string>) => boolean, polls = 150) {
  for (let i = 0; i < polls; i++) {
    const state = await pageState(page);
    if (test(state)) return state;
    await Bun.sleep(200);
  }
  throw new Error(`the page never got there: ${JSON.stringify(await pageState(page))}`);
}

describe.skipIf(!executable)("the dashboard in Chromium", () => {
  let server: ServerProcess | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let page: Page;
  let url: string;
  let phase: "steady" | "restart" = "steady";
  const consoleErrors: Array<{ phase: string; text: string; url: string }> = [];
  const pageErrors: string[] = [];

  let dir: string | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pool-dashboard-"));
    ENV.DATABASE_PATH = join(dir, "pool.db");
    server = await startServerProcess(ENV);
    url = server.url;
    await everyAppReady(url);
    browser = await launchChromium(executable!);
    page = await browser.context.newPage();
    page.on("console", (msg) => {
      if (msg.type() === "error")
        consoleErrors.push({ phase, text: msg.text(), url: msg.location().url });
    });
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    await page.goto(`${url}/`);
  }, 90_000);

  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("shows pending rise under load and fall back after, without moving its panels", async () => {
    const boxes = () =>
      page.locator("figure.panel").evaluateAll((figures) =>
        figures.map((f) => {
          const r = f.getBoundingClientRect();
          return [r.x, r.y, r.width, r.height];
        }),
      );
    await until(page, (s) => s.state === "open" && Number(s.snapshots) >= 2);
    const before = await boxes();
    let maxPending = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        maxPending = Math.max(maxPending, Number((await pageState(page)).pendingTotal));
        await Bun.sleep(200);
      }
    })();
    const report = await runLoad({
      url,
      seconds: 6,
      concurrency: 4,
      llmConcurrency: 4,
      log: () => {},
    });
    polling = false;
    await poller;
    expect(report.kinds.rag?.ok).toBeGreaterThan(0);
    expect(maxPending).toBeGreaterThan(0);
    // Every question answered (the load waits for them): the queue is empty on the page too.
    await until(page, (s) => s.pendingTotal === "0");
    expect(await boxes()).toEqual(before);
  }, 60_000);

  it("draws every chart, labelled, in a canvas with something on it", async () => {
    // After the load: every chart has figures to draw (latencies, the CAG hit ratio).
    await until(page, (s) => s.state === "open");
    const charts = await page.locator("figure.panel").evaluateAll((figures) =>
      figures.map((f) => {
        const canvas = f.querySelector("canvas") as {
          width: number;
          height: number;
          getContext(kind: "2d"): { getImageData(...a: number[]): { data: Uint8ClampedArray } };
        } | null;
        let painted = 0;
        let firstSeries = 0;
        if (canvas) {
          const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
          for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3]! > 0) painted++;
            // The first line's colour (#0072B2): the data is drawn, not only the axes.
            if (
              Math.abs(data[i]! - 0) + Math.abs(data[i + 1]! - 114) + Math.abs(data[i + 2]! - 178) <
              60
            ) {
              firstSeries++;
            }
          }
        }
        return {
          id: (f as unknown as { dataset: { chart?: string } }).dataset.chart ?? "",
          title: f.querySelector("h3")?.textContent ?? "",
          label: f.querySelector(".chart")?.getAttribute("aria-label") ?? "",
          canvas: canvas ? [canvas.width, canvas.height] : null,
          painted,
          firstSeries,
        };
      }),
    );
    const ids = charts.map((c) => c.id);
    // search and RAG are mounted; one LLM origin; the SQLite writer and readers.
    expect(ids).toEqual(
      expect.arrayContaining([
        "requests:rate",
        "requests:latency",
        "sqlite:queues",
        "pool:sqlite_writer",
      ]),
    );
    expect(ids.some((id) => id.startsWith("pool:llm "))).toBe(true);
    expect(ids.some((id) => id.startsWith("sockets:"))).toBe(true);
    for (const chart of charts) {
      expect(chart.title.length).toBeGreaterThan(0);
      expect(chart.label).toContain("Now:");
      expect(chart.canvas).not.toBeNull();
      expect(chart.canvas![0]).toBeGreaterThan(300);
      expect(chart.painted).toBeGreaterThan(0);
      expect({ id: chart.id, firstSeries: chart.firstSeries > 0 }).toEqual({
        id: chart.id,
        firstSeries: true,
      });
    }
  }, 30_000);

  it("reconnects by itself after the server restarts on the same port", async () => {
    phase = "restart";
    const port = new URL(url).port;
    // SIGTERM with the page's stream open: the stream is ended, so the drain does not wait.
    expect(await server!.stop()).toBe(0);
    server = undefined;
    await until(page, (s) => s.state === "connecting");
    const stoppedAt = Date.now();
    server = await startServerProcess({ ...ENV, PORT: port });
    const state = await until(page, (s) => s.state === "open" && Number(s.lastT) > stoppedAt);
    expect(Number(state.lastT)).toBeGreaterThan(stoppedAt);
    expect(await page.locator("figure.panel canvas").count()).toBeGreaterThan(5);
    phase = "steady";
  }, 60_000);

  it("logs no console errors (only the refused reconnects while the server was down)", () => {
    expect(pageErrors).toEqual([]);
    const unexpected = consoleErrors.filter(
      (e) => e.phase === "steady" || !`${e.url} ${e.text}`.includes("/pools/stream"),
    );
    expect(unexpected).toEqual([]);
  });
});

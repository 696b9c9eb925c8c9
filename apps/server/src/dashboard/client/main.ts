/**
 * The dashboard page: follows `/pools/stream` and draws every chart from the snapshots it keeps
 * (the last five minutes). Panels are laid out once per server (again only when the server's
 * pools or apps change, after a restart), and every chart has a fixed height.
 */
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import type { DashboardSnapshot } from "../snapshot-types.ts";
import { ChartPanel, WINDOW_S } from "./chart-panel.ts";
import { layoutKey, layoutOf } from "./chart-specs.ts";
import { formatValue } from "./format.ts";
import { type FeedState, openLiveFeed } from "./live-feed.ts";

const root = document.getElementById("panels")!;
const summary = document.getElementById("summary")!;
const connection = document.getElementById("connection")!;

let snapshots: DashboardSnapshot[] = [];
let received = 0;
let currentKey = "";
let panels: ChartPanel[] = [];

function rebuild(latest: DashboardSnapshot): void {
  for (const panel of panels) panel.destroy();
  panels = [];
  root.replaceChildren();
  for (const section of layoutOf(latest)) {
    const element = document.createElement("section");
    element.className = "section";
    element.dataset.section = section.id;
    const heading = document.createElement("h2");
    heading.id = `section-${section.id}`;
    heading.textContent = section.title;
    element.setAttribute("aria-labelledby", heading.id);
    const grid = document.createElement("div");
    grid.className = "grid";
    element.append(heading, grid);
    root.append(element);
    for (const spec of section.charts) {
      const panel = new ChartPanel(spec);
      panel.mount(grid);
      panels.push(panel);
    }
  }
  root.setAttribute("aria-busy", "false");
}

function render(): void {
  const latest = snapshots.at(-1);
  if (!latest) return;
  const key = layoutKey(latest);
  if (key !== currentKey) {
    currentKey = key;
    rebuild(latest);
  }
  for (const panel of panels) panel.update(snapshots);
  describe(latest);
}

/** The page in one sentence (the status line), and its figures as data attributes for tests. */
function describe(latest: DashboardSnapshot): void {
  const body = document.body.dataset;
  body.pendingTotal = String(latest.pendingTotal);
  body.snapshots = String(received);
  body.lastT = String(latest.t);
  const waiting = latest.pools
    .filter((p) => p.pending > 0)
    .map((p) => `${p.label.replace(/ \(.*\)$/, "")} ${p.pending}`)
    .join(", ");
  const traffic = latest.traffic
    .map((t) => `/${t.app} ${formatValue(Math.round(t.requestsPerS))} req/s`)
    .join(", ");
  const text =
    (latest.pendingTotal === 0
      ? "No caller is waiting for a pool."
      : `${latest.pendingTotal} waiting for a pool (${waiting}).`) +
    (traffic === "" ? "" : ` Requests: ${traffic}.`);
  // Only on change: a status line that is rewritten every second is noise to a screen reader.
  if (summary.textContent !== text) summary.textContent = text;
}

let opened = false;

function setState(state: FeedState): void {
  document.body.dataset.state = state;
  connection.dataset.state = state;
  if (state === "open") opened = true;
  connection.textContent = state === "open" ? "Live" : opened ? "Reconnecting…" : "Connecting…";
}

const trim = () => {
  const latest = snapshots.at(-1);
  if (!latest) return;
  const from = latest.t - WINDOW_S * 1000;
  const first = snapshots.findIndex((s) => s.t >= from);
  if (first > 0) snapshots = snapshots.slice(first);
};

openLiveFeed({
  history(list) {
    snapshots = list.slice();
    received += list.length;
    trim();
    render();
  },
  snapshot(snapshot) {
    snapshots.push(snapshot);
    received++;
    trim();
    render();
  },
  state: setState,
});

new ResizeObserver(() => {
  for (const panel of panels) panel.resize();
}).observe(root);

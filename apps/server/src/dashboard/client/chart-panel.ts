import uPlot from "uplot";
import type { DashboardSnapshot } from "../snapshot-types.ts";
import type { ChartSpec } from "./chart-specs.ts";
import { formatValue } from "./format.ts";

/** Okabe–Ito: told apart with the common colour-vision deficiencies. */
const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];
/** A second cue besides colour: each line of a chart has its own dash pattern. */
const DASHES: number[][] = [[], [6, 3], [2, 3], [10, 3, 2, 3]];
const SWATCH_STYLES = ["solid", "dashed", "dotted", "double"];
/** Fixed, so nothing below moves as data arrives. Matches `.chart { height }` in styles.css. */
export const CHART_HEIGHT_PX = 180;
/** The time window every chart shows once the data spans it, seconds. */
export const WINDOW_S = 300;
/** The narrowest window, seconds. */
const MIN_WINDOW_S = 60;

let nextId = 0;

/** 24-hour local time, seconds only when the tick is not on a whole minute. */
function clockTime(epochS: number): string {
  const d = new Date(epochS * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return d.getSeconds() === 0 ? hm : `${hm}:${two(d.getSeconds())}`;
}

/** The powers of ten from `min` to `max`. */
function decades(min: number | undefined, max: number | undefined): number[] {
  const out: number[] = [];
  for (let e = Math.round(Math.log10(min ?? 0.1)); e <= Math.round(Math.log10(max ?? 10)); e++) {
    out.push(10 ** e);
  }
  return out;
}

/** Whole decades around the data, at least 0.1–10 (ms): a flat line still has an axis. */
function logRange(min: number | null, max: number | null): [number, number] {
  const low = 10 ** Math.floor(Math.log10(Math.min(min ?? 0.1, 0.1 * (max ?? 1), 0.1)));
  const high = 10 ** Math.ceil(Math.log10(Math.max(max ?? 10, 10)));
  return [low, high];
}

/**
 * One chart of the dashboard: a `<figure>` with its title, a uPlot time series of the last
 * {@link WINDOW_S} seconds (fixed height), and a legend that is also the current values in text.
 *
 * @example
 * ```ts
 * const panel = new ChartPanel(spec);
 * panel.mount(grid); // measured there: drawn at its final width
 * panel.update(snapshots);
 * ```
 */
export class ChartPanel {
  readonly element: HTMLElement;
  readonly #spec: ChartSpec;
  #plot: uPlot | undefined;
  readonly #chart: HTMLElement;
  readonly #values: HTMLElement[] = [];

  constructor(spec: ChartSpec) {
    this.#spec = spec;
    const id = `chart-${nextId++}`;
    this.element = document.createElement("figure");
    this.element.className = "panel";
    this.element.dataset.chart = spec.id;
    this.element.setAttribute("aria-labelledby", `${id}-title`);

    const caption = document.createElement("figcaption");
    const title = document.createElement("h3");
    title.id = `${id}-title`;
    title.textContent = spec.title;
    caption.append(title);

    this.#chart = document.createElement("div");
    this.#chart.className = "chart";
    this.#chart.setAttribute("role", "img");

    const legend = document.createElement("ul");
    legend.className = "legend";
    spec.series.forEach((series, i) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.borderTopColor = COLORS[i % COLORS.length]!;
      swatch.style.borderTopStyle = SWATCH_STYLES[i % SWATCH_STYLES.length]!;
      const label = document.createElement("span");
      label.textContent = `${series.label} `;
      const value = document.createElement("span");
      value.className = "value";
      value.textContent = "–";
      this.#values.push(value);
      item.append(swatch, label, value);
      legend.append(item);
    });
    this.element.append(caption, this.#chart, legend);
  }

  /** Appends the figure to `parent`, then draws the chart at the width it has there. */
  mount(parent: HTMLElement): void {
    parent.append(this.element);
    const spec = this.#spec;
    const width = this.width();
    this.#plot = new uPlot(
      {
        width,
        height: CHART_HEIGHT_PX,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: {
            time: true,
            // Grows with the data up to WINDOW_S, then slides: a fresh server's first minute
            // fills the chart instead of a sliver at its right edge.
            range: (_u, min, max) => {
              const end = max ?? Date.now() / 1000;
              const start = Math.max(min ?? end, end - WINDOW_S);
              return [Math.min(start, end - MIN_WINDOW_S), end];
            },
          },
          y: spec.log
            ? { distr: 3, log: 10, range: (_u, min, max) => logRange(min, max) }
            : { range: (_u, _min, max) => this.#yRange(max) },
        },
        axes: [
          {
            stroke: "#333",
            grid: { stroke: "#e4e4e4" },
            ticks: { stroke: "#ccc" },
            values: (_u, ticks) => ticks.map(clockTime),
          },
          {
            label: spec.axis,
            size: 56,
            // On a log axis, a line per decade: uPlot's default adds 2..9 of each, unreadable here.
            ...(spec.log
              ? {
                  splits: (u: uPlot) => decades(u.scales.y?.min, u.scales.y?.max),
                  // uPlot thins log labels for space; one per decade fits in the fixed height.
                  filter: (_u: uPlot, splits: number[]) => splits,
                }
              : {}),
            stroke: "#333",
            grid: { stroke: "#e4e4e4" },
            ticks: { stroke: "#ccc" },
            values: (_u, ticks) => ticks.map((t) => formatValue(t)),
          },
        ],
        series: [
          {},
          ...spec.series.map((s, i) => ({
            label: s.label,
            stroke: COLORS[i % COLORS.length]!,
            width: 2,
            dash: DASHES[i % DASHES.length]!,
            points: { show: false },
          })),
        ],
      },
      [[], ...spec.series.map(() => [])],
      this.#chart,
    );
  }

  /** Redraws from `snapshots` (oldest first) and sets the current values in the legend. */
  update(snapshots: DashboardSnapshot[]): void {
    const spec = this.#spec;
    const xs = snapshots.map((s) => s.t / 1000);
    const ys = spec.series.map((series) => snapshots.map((s) => series.value(s)));
    this.#plot?.setData([xs, ...ys] as uPlot.AlignedData);
    const latest = snapshots.at(-1);
    const now = spec.series.map((series) => (latest ? series.value(latest) : null));
    now.forEach((v, i) => {
      this.#values[i]!.textContent = formatValue(v, spec.unit);
    });
    this.#chart.setAttribute(
      "aria-label",
      `${spec.title}, ${spec.axis}, last ${WINDOW_S / 60} minutes. Now: ` +
        spec.series.map((s, i) => `${s.label} ${formatValue(now[i], spec.unit)}`).join(", "),
    );
  }

  /** The width the chart's box has now, px. */
  width(): number {
    return Math.max(200, Math.floor(this.#chart.clientWidth));
  }

  /** Follows the box's width (the window was resized); the height never changes. */
  resize(): void {
    const width = this.width();
    if (this.#plot && Math.abs(this.#plot.width - width) >= 1) {
      this.#plot.setSize({ width, height: CHART_HEIGHT_PX });
    }
  }

  destroy(): void {
    this.#plot?.destroy();
    this.element.remove();
  }

  #yRange(max: number | null): [number, number] {
    if (this.#spec.yRange) return this.#spec.yRange;
    const top = Math.max(this.#spec.minYMax ?? 1, (max ?? 0) * 1.1);
    return [0, top];
  }
}

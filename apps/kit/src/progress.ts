/** How far a piece of work is: `done` of `total` `unit`s, and the estimated seconds left. */
export interface Progress {
  done: number;
  total: number;
  unit: string;
  etaS?: number;
  /** Other counts worth showing, e.g. `"41/233 documents"`. */
  detail?: string;
}

/**
 * Where long work (seeding) reports how far it is. `update` may be called often: reporters
 * throttle their own output.
 *
 * @example
 * ```ts
 * const reporter: ProgressReporter = { update: (label, p) => log(label, p.done), end: () => {} };
 * await app.start(reporter);
 * ```
 */
export interface ProgressReporter {
  /** `label` names the work, e.g. `"search: passages"`. */
  update(label: string, progress: Progress): void;
  /** The work under `label` finished (or failed); `summary` says how it went. */
  end(label: string, summary: string): void;
}

/** Options of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  /** Where to write. Default `process.stderr`. */
  stream?: { write(chunk: string): unknown; isTTY?: boolean };
  /** Draw a bar redrawn in place (a terminal) instead of plain lines. Default `stream.isTTY`. */
  tty?: boolean;
  /** Least time between two plain lines for one label. Default 2000. */
  lineIntervalMs?: number;
  /** Width of the bar in characters. Default 30. */
  barWidth?: number;
}

/**
 * A reporter for people: on a terminal, one bar per label redrawn in place with counts,
 * percentage and ETA; elsewhere (logs, CI, pipes) a plain line at most every `lineIntervalMs`.
 *
 * @example
 * ```ts
 * const progress = createProgressReporter();
 * progress.update("search: passages", { done: 1200, total: 12000, unit: "passages", etaS: 4 });
 * progress.end("search: passages", "12000 passages in 3.1 s");
 * ```
 */
export function createProgressReporter(options: ProgressReporterOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? stream.isTTY === true;
  const lineIntervalMs = options.lineIntervalMs ?? 2_000;
  const barWidth = options.barWidth ?? 30;
  const lastLineAt = new Map<string, number>();
  let barOpen = false;

  return {
    update(label, progress) {
      if (tty) {
        stream.write(`\r\x1b[2K${label} ${bar(progress, barWidth)} ${counts(progress)}`);
        barOpen = true;
        return;
      }
      const now = performance.now();
      const last = lastLineAt.get(label);
      if (last !== undefined && now - last < lineIntervalMs && progress.done < progress.total)
        return;
      lastLineAt.set(label, now);
      stream.write(`${label}: ${counts(progress)}\n`);
    },
    end(label, summary) {
      lastLineAt.delete(label);
      stream.write(`${tty && barOpen ? "\r\x1b[2K" : ""}${label}: ${summary}\n`);
      barOpen = false;
    },
  };
}

/**
 * A reporter that says nothing, for tests and for callers that watch `health()` instead.
 *
 * @example
 * ```ts
 * await app.start(silentProgress);
 * ```
 */
export const silentProgress: ProgressReporter = { update() {}, end() {} };

function bar(progress: Progress, width: number): string {
  const filled = Math.round(fraction(progress) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
}

function counts(progress: Progress): string {
  const percent = Math.floor(fraction(progress) * 100);
  const eta = progress.etaS === undefined ? "" : `, ~${Math.ceil(progress.etaS)} s left`;
  const detail = progress.detail === undefined ? "" : `, ${progress.detail}`;
  return `${progress.done}/${progress.total} ${progress.unit} (${percent}%${eta})${detail}`;
}

function fraction(progress: Progress): number {
  if (progress.total <= 0) return 1;
  return Math.min(1, Math.max(0, progress.done / progress.total));
}

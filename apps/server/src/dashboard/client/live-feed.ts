import type { DashboardSnapshot } from "../snapshot-types.ts";

/** The page's link to the server: `open`, or `connecting` (first time, or again after a loss). */
export type FeedState = "connecting" | "open";

/**
 * What {@link openLiveFeed} calls.
 *
 * @example
 * ```ts
 * openLiveFeed({ history: (list) => {}, snapshot: (s) => {}, state: (state) => {} });
 * ```
 */
export interface LiveFeedHandlers {
  /** The server's last minutes, at each (re)connection: they replace what the page had. */
  history(snapshots: DashboardSnapshot[]): void;
  snapshot(snapshot: DashboardSnapshot): void;
  state(state: FeedState): void;
}

/** Before opening a new EventSource after the browser gave up on one. */
const REOPEN_MS = 1_000;

/**
 * Follows `/pools/stream`. EventSource reconnects by itself after a network loss; after a
 * refusal it gives up for good (a 503 while the server shuts down), so then a new one is opened,
 * and a restarted server is picked up either way.
 *
 * @example
 * ```ts
 * openLiveFeed({ history: reset, snapshot: push, state: (s) => (document.body.dataset.state = s) });
 * ```
 */
export function openLiveFeed(handlers: LiveFeedHandlers, url = "/pools/stream"): void {
  const parse = <T>(event: Event): T | undefined => {
    try {
      return JSON.parse((event as MessageEvent<string>).data) as T;
    } catch {
      // A torn message is skipped; the next one comes within a second.
      return undefined;
    }
  };
  const open = () => {
    handlers.state("connecting");
    const source = new EventSource(url);
    source.addEventListener("open", () => handlers.state("open"));
    source.addEventListener("history", (event) => {
      const list = parse<DashboardSnapshot[]>(event);
      if (Array.isArray(list)) handlers.history(list);
    });
    source.addEventListener("snapshot", (event) => {
      const snapshot = parse<DashboardSnapshot>(event);
      if (snapshot) handlers.snapshot(snapshot);
    });
    source.addEventListener("error", () => {
      handlers.state("connecting");
      if (source.readyState === EventSource.CLOSED) setTimeout(open, REOPEN_MS);
    });
  };
  open();
}

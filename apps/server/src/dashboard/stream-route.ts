import { ErrorSchema, errorBody } from "@app/kit";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { DashboardFeed } from "./dashboard-feed.ts";

/** What EventSource waits before reconnecting (the browser's default is about 3 s). */
const RETRY_MS = 1_000;

const streamRoute = createRoute({
  method: "get",
  path: "/pools/stream",
  summary: "Server-Sent Events: the dashboard's snapshot of every pool, once a second",
  description:
    "First a `history` event (a JSON array of the last minutes' snapshots), then a `snapshot` " +
    "event each second: pools (size, idle, borrowed, pending, wait p50/p99), LLM connections " +
    "per origin, the SQLite writer queue and readers, request rates and latencies per app, the " +
    "CAG cache hit ratio. Read from the same metrics as `/metrics`. Ends when the server shuts down.",
  responses: {
    200: {
      description: "The event stream",
      content: {
        "text/event-stream": {
          schema: z
            .string()
            .openapi({ example: 'event: snapshot\ndata: {"t":1767225600000,...}\n\n' }),
        },
      },
    },
    503: {
      description: "The server is shutting down (`CLOSING`)",
      content: { "application/json": { schema: ErrorSchema } },
    },
  },
});

/**
 * Adds `GET /pools/stream`: the feed's history, then each snapshot, as Server-Sent Events. A
 * viewer that falls behind skips snapshots instead of queueing them; the stream ends when the
 * client leaves or the feed closes (at shutdown, so the drain does not wait for it).
 *
 * @example
 * ```ts
 * addStreamRoute(root, feed);
 * // new EventSource("/pools/stream").addEventListener("snapshot", (e) => JSON.parse(e.data));
 * ```
 */
export function addStreamRoute(app: OpenAPIHono, feed: DashboardFeed): void {
  app.openapi(streamRoute, (c) => {
    if (feed.closed) {
      return c.json(errorBody("CLOSING", "the server is shutting down"), 503);
    }
    return streamSSE(c, async (stream) => {
      await stream.writeSSE({
        event: "history",
        data: JSON.stringify(feed.history()),
        retry: RETRY_MS,
      });
      await new Promise<void>((resolve) => {
        let writing = false;
        // A feed already closed calls end() from inside subscribe(), before this is assigned.
        let unsubscribe = () => {};
        const end = () => {
          unsubscribe();
          resolve();
        };
        unsubscribe = feed.subscribe({
          send(snapshot) {
            if (writing || stream.aborted) return;
            writing = true;
            void stream
              .writeSSE({ event: "snapshot", data: JSON.stringify(snapshot) })
              .finally(() => {
                writing = false;
              });
          },
          end,
        });
        stream.onAbort(end);
        c.req.raw.signal.addEventListener("abort", end, { once: true });
      });
    }) as never;
  });
}

import type { Exchange } from "./exchange.ts";
import type { RequestFaults } from "./faults.ts";
import { finalStats, type Generation } from "./generation.ts";
import { sleepUnlessAborted } from "./responses.ts";

const encoder = new TextEncoder();
const DROP_FLUSH_MS = 20;

/**
 * The NDJSON stream of a chat answer, as Ollama sends it: one `{ message: { content }, done:
 * false }` line per chunk, `chunkDelayMs` apart, then a `done: true` line with the statistics.
 * Faults: after `midStreamErrorAfterChunks` chunks an `{"error": ...}` line ends it; after
 * `dropAfterChunks` chunks the connection is cut. The slot is freed and the request ended
 * however the stream stops; a client that cancels counts as aborted.
 *
 * @example
 * ```ts
 * return streamChat(generation, exchange, faults, options.chunkDelayMs);
 * ```
 */
export function streamChat(
  generation: Generation,
  exchange: Exchange,
  faults: RequestFaults,
  chunkDelayMs: number,
): Response {
  let sent = 0;
  const finish = (aborted: boolean) => {
    generation.release();
    exchange.end(aborted);
  };
  // A client gone before Bun reads the stream does not always cancel it: free the slot anyway.
  exchange.signal.addEventListener("abort", () => finish(true), { once: true });
  const line = (message: object) => encoder.encode(`${JSON.stringify(message)}\n`);
  const head = () => ({ model: generation.model, created_at: new Date().toISOString() });
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent > 0 && !(await sleepUnlessAborted(chunkDelayMs, exchange.signal))) {
        return finish(true);
      }
      if (sent === faults.dropAfterChunks) {
        // Let Bun write the chunks sent so far first, or the cut would come before any byte.
        await Bun.sleep(DROP_FLUSH_MS);
        finish(false);
        // No reason: Bun then cuts the socket without logging an error.
        return controller.error(undefined);
      }
      if (sent === faults.midStreamErrorAfterChunks) {
        controller.enqueue(line({ error: faults.message }));
        finish(false);
        return controller.close();
      }
      const content = generation.chunks[sent];
      sent++;
      if (content === undefined) {
        controller.enqueue(
          line({
            ...head(),
            message: { role: "assistant", content: "" },
            done: true,
            ...finalStats(generation),
          }),
        );
        finish(false);
        return controller.close();
      }
      controller.enqueue(line({ ...head(), message: { role: "assistant", content }, done: false }));
    },
    cancel() {
      finish(true);
    },
  });
  exchange.record.status = 200;
  return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
}

import { AppError } from "@app/kit";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { AskResult } from "./answer-service.ts";

/**
 * Starts an ask: given the signal that says the client left and a sink for pieces of the answer.
 *
 * @example
 * ```ts
 * const start: StartAsk = (signal, onToken) => service.ask(q, { signal, onToken });
 * ```
 */
export type StartAsk = (signal: AbortSignal, onToken: (text: string) => void) => Promise<AskResult>;

/**
 * Answers an ask as Server-Sent Events, in the RAG app's shapes: `token` events (`{ content }`)
 * as the answer arrives, then one `done` event carrying the whole JSON answer (`model` and
 * `timings` included), or an `error` event (`{ code, message }`) if it fails mid-way; a `: ping` comment every `heartbeatMs` of silence keeps proxies and
 * Bun's idle timer from cutting the connection.
 *
 * The response starts only at the first piece, the end, or after `heartbeatMs`, whichever comes
 * first: a failure before that (a question without words, the LLM down) still gets its HTTP
 * status and JSON error, like the non-streamed answer; only a slower failure becomes an `error`
 * event. When the client disconnects, the ask's signal aborts, which stops the LLM call unless
 * another asker waits for the same answer.
 *
 * @example
 * ```ts
 * return streamAsk(c, (signal, onToken) => service.ask(question, { signal, onToken }), 5_000);
 * ```
 */
export async function streamAsk(
  c: Context,
  start: StartAsk,
  heartbeatMs: number,
): Promise<Response> {
  const controller = new AbortController();
  const leave = () => controller.abort(new DOMException("the client disconnected", "AbortError"));
  const clientSignal = c.req.raw.signal;
  clientSignal.addEventListener("abort", leave, { once: true });

  const pieces: string[] = [];
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let settled = false;
  const result = start(controller.signal, (text) => {
    pieces.push(text);
    notify();
  });
  result.then(
    () => {
      settled = true;
      notify();
    },
    () => {
      settled = true;
      notify();
    },
  );

  await waitFor(
    () => settled || pieces.length > 0,
    heartbeatMs,
    (w) => {
      wake = w;
    },
  );
  if (settled && pieces.length === 0) {
    try {
      await result; // a fast failure throws here and gets its status from onError
    } finally {
      clientSignal.removeEventListener("abort", leave);
    }
  }

  return streamSSE(c, async (stream) => {
    stream.onAbort(leave);
    const heartbeat = setInterval(() => {
      stream.write(": ping\n\n").catch(() => {});
    }, heartbeatMs);
    try {
      for (;;) {
        while (pieces.length > 0) {
          await stream.writeSSE({
            event: "token",
            data: JSON.stringify({ content: pieces.shift()! }),
          });
        }
        if (settled) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (settled || pieces.length > 0) notify();
        });
      }
      try {
        const answer = await result;
        await stream.writeSSE({ event: "done", data: JSON.stringify(answer) });
      } catch (error) {
        if (controller.signal.aborted) return;
        await stream.writeSSE({ event: "error", data: JSON.stringify(sseError(error)) });
      }
    } finally {
      clearInterval(heartbeat);
      clientSignal.removeEventListener("abort", leave);
    }
  });
}

/** Waits until `ready()` or `ms` passed; `register` receives the function that wakes it. */
async function waitFor(ready: () => boolean, ms: number, register: (wake: () => void) => void) {
  if (ready()) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    register(resolve);
  });
  clearTimeout(timer);
}

function sseError(error: unknown): { code: string; message: string } {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  console.error("cag: a streamed answer failed:", error);
  return { code: "INTERNAL", message: "internal server error" };
}

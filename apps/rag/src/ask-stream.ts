import { AppError, type Llm } from "@app/kit";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { type PreparedAsk, timings } from "./ask.ts";
import { toLlmError } from "./llm-error.ts";
import { requestOllama } from "./request-ollama.ts";

/**
 * Streams an answer as Server-Sent Events: `citations` first (`{ citations, model }`), then one
 * `token` per chunk of the model's answer (`{ content }`), then `done` (`{ model, timings,
 * doneReason }`); or `error` (`{ code, message }`) when the LLM fails after the stream began, a
 * mid-stream `{"error": ...}` line from Ollama included. A `: ping` comment goes out whenever the
 * stream has been silent for `heartbeatMs`, so proxies and browsers keep the connection while
 * the model loads or thinks.
 *
 * When the client goes away, the upstream chat request is aborted: the request's signal and the
 * stream's `onAbort` both trigger it (under `app.request()` only one of them fires), and it
 * reaches the `ollama` stream both through its iterator's `abort()` and through the per-request
 * `fetch` (which also covers the wait for the stream's head). The pool closes that socket
 * rather than reuse it.
 *
 * @example
 * ```ts
 * if (wantsStream) return streamAnswer(c, llm, prepared, 15_000);
 * ```
 */
export function streamAnswer(
  c: Context,
  llm: Llm,
  prepared: PreparedAsk,
  heartbeatMs: number,
): Response {
  return streamSSE(c, async (stream) => {
    const gone = new AbortController();
    const onGone = () => gone.abort();
    const requestSignal = c.req.raw.signal;
    requestSignal.addEventListener("abort", onGone, { once: true });
    if (requestSignal.aborted) onGone();
    stream.onAbort(onGone);

    let lastWriteAt = performance.now();
    const send = async (event: string, data: unknown) => {
      lastWriteAt = performance.now();
      await stream.writeSSE({ event, data: JSON.stringify(data) });
    };
    const heartbeat = setInterval(() => {
      if (performance.now() - lastWriteAt < heartbeatMs) return;
      lastWriteAt = performance.now();
      void stream.write(": ping\n\n");
    }, heartbeatMs);

    let finished = false;
    let iterator: { abort(): void } | undefined;
    gone.signal.addEventListener("abort", () => iterator?.abort(), { once: true });
    try {
      await send("citations", { citations: prepared.citations, model: llm.chatModel });
      const started = performance.now();
      const ollama = requestOllama(llm, gone.signal);
      const parts = await ollama.chat({
        model: llm.chatModel,
        messages: prepared.messages,
        stream: true,
        keep_alive: llm.keepAlive,
        options: { num_ctx: llm.numCtx },
      });
      iterator = parts;
      if (gone.signal.aborted) parts.abort();
      let doneReason: string | undefined;
      for await (const part of parts) {
        const content = part.message?.content;
        if (content) await send("token", { content });
        if (part.done) doneReason = part.done_reason;
      }
      finished = true;
      const now = performance.now();
      await send("done", {
        model: llm.chatModel,
        timings: timings(prepared, now - started, now),
        doneReason,
      });
    } catch (error) {
      // The client is gone: nobody to tell, and the upstream request is already aborted.
      if (gone.signal.aborted) return;
      await send("error", describe(error, llm));
    } finally {
      clearInterval(heartbeat);
      requestSignal.removeEventListener("abort", onGone);
      // Leaving early (a write failed, say) must not leave the model generating for nobody.
      if (!finished) gone.abort();
    }
  });
}

function describe(error: unknown, llm: Llm): { code: string; message: string } {
  const mapped = toLlmError(error, llm);
  if (mapped instanceof AppError) return { code: mapped.code, message: mapped.message };
  // The ollama client turns a mid-stream `{"error": ...}` line into a plain Error.
  const message = mapped instanceof Error ? mapped.message : String(mapped);
  return { code: "LLM_STREAM_ERROR", message: `the LLM failed mid-answer: ${message}` };
}

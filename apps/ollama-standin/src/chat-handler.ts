import { parseChatRequest } from "./chat-request.ts";
import { streamChat } from "./chat-stream.ts";
import type { Exchange } from "./exchange.ts";
import type { RequestFaults } from "./faults.ts";
import { finalStats, startGeneration } from "./generation.ts";
import { canonicalModel, findModel } from "./models.ts";
import { readJsonObject } from "./request-body.ts";
import {
  droppedResponse,
  jsonResponse,
  modelNotFound,
  ollamaError,
  sleepUnlessAborted,
} from "./responses.ts";
import type { ServerContext } from "./server-context.ts";

/**
 * `POST /api/chat`: the extractive answer to the conversation, streamed as NDJSON (the default)
 * or, with `stream: false`, as one JSON object once it is all generated (no headers before, like
 * a model). Returns `undefined` when the client left before anything was sent.
 *
 * @example
 * ```ts
 * const response = await handleChat(req, exchange, faults, context);
 * ```
 */
export async function handleChat(
  req: Request,
  exchange: Exchange,
  faults: RequestFaults,
  context: ServerContext,
): Promise<Response | undefined> {
  const chat = parseChatRequest(await readJsonObject(req));
  Object.assign(exchange.record, {
    model: chat.model,
    stream: chat.stream,
    ...(chat.numCtx === undefined ? {} : { numCtx: chat.numCtx }),
    ...(chat.keepAlive === undefined ? {} : { keepAlive: chat.keepAlive }),
  });
  const kind = findModel(context.options, chat.model);
  if (kind === undefined) return exchange.respond(modelNotFound(chat.model));
  if (kind !== "chat") {
    return exchange.respond(ollamaError(400, `"${chat.model}" does not support chat`));
  }
  const model = canonicalModel(chat.model);
  const generation = await startGeneration(chat, model, context, exchange.record, req.signal);
  if (chat.stream) return streamChat(generation, exchange, faults, context.options.chunkDelayMs);
  try {
    // A model sends nothing until a non-streamed answer is complete.
    const delay = context.options.chunkDelayMs * Math.max(generation.chunks.length - 1, 0);
    if (!(await sleepUnlessAborted(delay, req.signal))) return undefined;
    if (faults.midStreamErrorAfterChunks !== undefined) {
      return exchange.respond(ollamaError(500, faults.message));
    }
    if (faults.dropAfterChunks !== undefined) {
      exchange.record.status = 200;
      return droppedResponse(() => exchange.end(false));
    }
    return exchange.respond(
      jsonResponse({
        model,
        created_at: new Date().toISOString(),
        message: { role: "assistant", content: generation.chunks.join("") },
        done: true,
        ...finalStats(generation),
      }),
    );
  } finally {
    generation.release();
  }
}

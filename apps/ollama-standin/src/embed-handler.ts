import { embedText } from "./embed-text.ts";
import type { Exchange } from "./exchange.ts";
import type { RequestFaults } from "./faults.ts";
import { canonicalModel, findModel } from "./models.ts";
import {
  BadRequest,
  readJsonObject,
  readKeepAlive,
  readNumCtx,
  requireModel,
} from "./request-body.ts";
import { droppedResponse, jsonResponse, modelNotFound, ollamaError } from "./responses.ts";
import type { ServerContext } from "./server-context.ts";
import { tokenize } from "./tokenize.ts";

/**
 * `POST /api/embed`: `input` (a string or an array of strings) → one {@link embedText} vector
 * per input, `dimensions` long (the body's `dimensions`, else the stand-in's). Either model
 * embeds, as most Ollama models do.
 *
 * @example
 * ```ts
 * const response = await handleEmbed(req, exchange, faults, context);
 * ```
 */
export async function handleEmbed(
  req: Request,
  exchange: Exchange,
  faults: RequestFaults,
  context: ServerContext,
): Promise<Response> {
  const started = performance.now();
  const body = await readJsonObject(req);
  const model = requireModel(body);
  const inputs = readInputs(body.input);
  const numCtx = readNumCtx(body);
  const keepAlive = readKeepAlive(body);
  Object.assign(exchange.record, {
    model,
    inputs: inputs.length,
    ...(numCtx === undefined ? {} : { numCtx }),
    ...(keepAlive === undefined ? {} : { keepAlive }),
  });
  if (findModel(context.options, model) === undefined)
    return exchange.respond(modelNotFound(model));
  const dimensions = body.dimensions ?? context.options.dimensions;
  if (typeof dimensions !== "number" || !Number.isInteger(dimensions) || dimensions < 1) {
    throw new BadRequest("dimensions must be a positive integer");
  }
  if (faults.midStreamErrorAfterChunks !== undefined) {
    return exchange.respond(ollamaError(500, faults.message));
  }
  if (faults.dropAfterChunks !== undefined) {
    exchange.record.status = 200;
    return droppedResponse(() => exchange.end(false));
  }
  const embeddings = inputs.map((input) => embedText(input, dimensions));
  const tokens = inputs.reduce((sum, input) => sum + tokenize(input).length, 0);
  const elapsedNs = Math.round((performance.now() - started) * 1e6);
  return exchange.respond(
    jsonResponse({
      model: canonicalModel(model),
      embeddings,
      total_duration: elapsedNs,
      load_duration: 0,
      prompt_eval_count: tokens,
    }),
  );
}

function readInputs(input: unknown): string[] {
  if (input === undefined || input === null) return [];
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.every((item) => typeof item === "string")) return input;
  throw new BadRequest("input must be a string or an array of strings");
}

import type { ChatMessage } from "./prompt-template.ts";
import { BadRequest, readKeepAlive, readNumCtx, requireModel } from "./request-body.ts";

/** The fields of an `/api/chat` body the stand-in uses, validated. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  numCtx: number | undefined;
  keepAlive: string | number | undefined;
}

/**
 * Validates an `/api/chat` body; throws {@link BadRequest} naming what is wrong. `stream`
 * defaults to true, as in Ollama; missing `messages` means none (Ollama then only loads the
 * model).
 *
 * @example
 * ```ts
 * const chat = parseChatRequest(await readJsonObject(req));
 * ```
 */
export function parseChatRequest(body: Record<string, unknown>): ChatRequest {
  const model = requireModel(body);
  const raw = body.messages ?? [];
  if (!Array.isArray(raw)) throw new BadRequest("messages must be an array");
  const messages = raw.map((message, i): ChatMessage => {
    const { role, content } = (message ?? {}) as Record<string, unknown>;
    if (typeof role !== "string" || (content !== undefined && typeof content !== "string")) {
      throw new BadRequest(`messages[${i}] must have a string role and a string content`);
    }
    return { role, content: content ?? "" };
  });
  if (body.stream !== undefined && typeof body.stream !== "boolean") {
    throw new BadRequest("stream must be a boolean");
  }
  return {
    model,
    messages,
    stream: body.stream !== false,
    numCtx: readNumCtx(body),
    keepAlive: readKeepAlive(body),
  };
}

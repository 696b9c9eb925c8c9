import { handleChat } from "./chat-handler.ts";
import { handleEmbed } from "./embed-handler.ts";
import { endpointOf } from "./endpoints.ts";
import { Exchange } from "./exchange.ts";
import { listModels, runningModels, STANDIN_VERSION } from "./models.ts";
import { BadRequest } from "./request-body.ts";
import { jsonResponse, ollamaError, sleepUnlessAborted } from "./responses.ts";
import type { ServerContext } from "./server-context.ts";

const TEXT = { "content-type": "text/plain; charset=utf-8" };

/**
 * Serves one request: counts and logs it, applies the faults for its endpoint (delay before the
 * headers, error status), then answers as Ollama would. Bad input gets 400 `{ error }`; an
 * unknown path 404 `404 page not found` (Ollama's text).
 *
 * @example
 * ```ts
 * Bun.serve({ fetch: (req, server) => route(req, context, server.requestIP(req)?.port) });
 * ```
 */
export async function route(
  req: Request,
  context: ServerContext,
  clientPort?: number,
): Promise<Response> {
  const { pathname } = new URL(req.url);
  const endpoint = endpointOf(pathname);
  const exchange = new Exchange(
    context.log,
    context.log.begin(pathname, endpoint, clientPort),
    req.signal,
  );
  const faults = context.faults.take(endpoint);
  try {
    if (!(await sleepUnlessAborted(faults.headersDelayMs, req.signal))) return gone();
    if (faults.status !== undefined) {
      return exchange.respond(ollamaError(faults.status, faults.message));
    }
    const method = req.method === "HEAD" ? "GET" : req.method;
    const wanted = endpoint === "chat" || endpoint === "embed" ? "POST" : "GET";
    if (endpoint !== "other" && method !== wanted) {
      return exchange.respond(
        new Response("405 method not allowed", { status: 405, headers: TEXT }),
      );
    }
    switch (endpoint) {
      case "chat":
        return (await handleChat(req, exchange, faults, context)) ?? gone();
      case "embed":
        return await handleEmbed(req, exchange, faults, context);
      case "tags":
        return exchange.respond(jsonResponse(listModels(context.options)));
      case "version":
        return exchange.respond(jsonResponse({ version: STANDIN_VERSION }));
      case "ps":
        return exchange.respond(
          jsonResponse(runningModels(context.options, context.slots.loadedModels())),
        );
      default:
        if (pathname === "/" && method === "GET") {
          return exchange.respond(new Response("Ollama is running", { headers: TEXT }));
        }
        return exchange.respond(new Response("404 page not found", { status: 404, headers: TEXT }));
    }
  } catch (error) {
    if (req.signal.aborted) return gone();
    if (error instanceof BadRequest) return exchange.respond(ollamaError(400, error.message));
    return exchange.respond(ollamaError(500, `stand-in failure: ${String(error)}`));
  } finally {
    // Whatever path was taken, a request whose client left is counted once, as aborted.
    if (req.signal.aborted) exchange.end(true);
  }
}

// The client has gone: Bun discards whatever we answer.
function gone(): Response {
  return new Response(null, { status: 499 });
}

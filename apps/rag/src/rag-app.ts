import {
  createApi,
  type ExampleApp,
  liftIdleTimeout,
  notReady,
  packSentences,
  silentProgress,
} from "@app/kit";
import { answerWhole, prepareAsk } from "./ask.ts";
import { streamAnswer } from "./ask-stream.ts";
import { deleteDocument, insertDocument, listDocuments } from "./document-store.ts";
import { embedTexts } from "./embedder.ts";
import { assertLlmAvailable } from "./llm-available.ts";
import { toLlmError } from "./llm-error.ts";
import { ragMigrations } from "./migrations.ts";
import { type RagAppOptions, resolveRagOptions } from "./options.ts";
import { RagRuntime } from "./rag-runtime.ts";
import { requestOllama } from "./request-ollama.ts";
import {
  askRoute,
  createDocumentRoute,
  deleteDocumentRoute,
  listDocumentsRoute,
} from "./routes.ts";

/**
 * The RAG app: grounded answers with citations over its own copy of the corpus, on the server's
 * shared `SqlitePool` and LLM pool. Mount it at `/rag` after `db.migrate("rag", ragMigrations)`;
 * its routes answer 503 `NOT_READY` with the progress until `start()` has seeded, embedded and
 * indexed.
 *
 * - `POST /ask { question, topK?, stream? }` → `{ answer, citations, model, timings }`, or
 *   Server-Sent Events (`citations`, `token`…, `done` | `error`).
 * - `POST /documents` → 201 `{ id, chunks }`; `GET /documents?limit&offset`;
 *   `DELETE /documents/{id}` → 204.
 *
 * @throws {RagOptionError} `RAG_INVALID_OPTION` on a bad option
 * @example
 * ```ts
 * const rag = createRagApp({ db, llm });
 * await db.migrate(rag.name, rag.migrations);
 * root.route("/rag", rag.app);
 * await rag.start(createProgressReporter());
 * const res = await rag.app.request("/ask", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ question: "What did Lincoln say about emancipation?" }),
 * });
 * ```
 */
export function createRagApp(options: RagAppOptions): ExampleApp {
  const resolved = resolveRagOptions(options);
  const { db, llm } = resolved;
  const runtime = new RagRuntime(resolved);
  const app = createApi();
  app.use(
    "*",
    notReady(() => runtime.health()),
  );

  app.openapi(askRoute, async (c) => {
    const startedAt = performance.now();
    const body = c.req.valid("json");
    liftIdleTimeout(c);
    resolved.onLongRequest?.(c.req.raw);
    const deps = { db, llm, store: runtime.store, dimensions: runtime.dimensions };
    const prepared = await prepareAsk(deps, body.question, body.topK, c.req.raw.signal, startedAt);
    const wantsStream = body.stream || (c.req.header("accept") ?? "").includes("text/event-stream");
    if (wantsStream) return streamAnswer(c, llm, prepared, resolved.heartbeatMs);
    return c.json(await answerWhole(llm, prepared), 200);
  });

  app.openapi(createDocumentRoute, async (c) => {
    const doc = c.req.valid("json");
    const chunks = packSentences(doc.body, {
      maxChars: resolved.chunkMaxChars,
      overlapChars: resolved.chunkOverlapChars,
    });
    assertLlmAvailable(llm);
    // The LLM first, the writer after: the shared writer is never held while the model works.
    let vectors: number[][];
    try {
      vectors = await embedTexts(requestOllama(llm, c.req.raw.signal), llm, chunks, {
        batchSize: resolved.embedBatchSize,
        dimensions: runtime.dimensions,
      });
    } catch (error) {
      throw toLlmError(error, llm);
    }
    const store = runtime.store;
    const { id } = await db.transaction((tx) =>
      insertDocument(tx, doc, chunks, { vectors: { store, vectors } }),
    );
    return c.json({ id, chunks: chunks.length }, 201);
  });

  app.openapi(listDocumentsRoute, async (c) => {
    const { limit, offset } = c.req.valid("query");
    const page = await listDocuments(db, { limit, offset });
    return c.json({ ...page, limit, offset }, 200);
  });

  app.openapi(deleteDocumentRoute, async (c) => {
    const { id } = c.req.valid("param");
    await deleteDocument(db, runtime.store, id);
    return c.body(null, 204);
  });

  return {
    name: "rag",
    app,
    migrations: ragMigrations,
    start: (progress = silentProgress) => runtime.start(progress),
    health: () => runtime.health(),
    close: () => runtime.close(),
  };
}

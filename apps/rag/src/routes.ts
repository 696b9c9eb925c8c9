import { errorResponse as error, jsonContent as json } from "@app/kit";
import { createRoute, z } from "@hono/zod-openapi";
import {
  AnswerSchema,
  AskBodySchema,
  CreatedSchema,
  DocumentInputSchema,
  DocumentPageSchema,
  IdParamSchema,
  ListQuerySchema,
} from "./schemas.ts";

/** `POST /ask`: a grounded answer with citations, as JSON or Server-Sent Events. */
export const askRoute = createRoute({
  method: "post",
  path: "/ask",
  summary: "Answer a question from the addresses, with citations",
  description:
    "Hybrid retrieval (FTS5 BM25 over the question's content words + vector KNN, fused by " +
    "reciprocal rank, k = 60), then the top chunks as context to the chat model. With " +
    "`stream: true` or `Accept: text/event-stream`: events `citations`, `token`…, `done` " +
    "(timings) or `error`, and `: ping` comments during long pauses.",
  request: { body: { content: json(AskBodySchema), required: true } },
  responses: {
    200: {
      description: "The answer (or its event stream)",
      content: {
        ...json(AnswerSchema),
        "text/event-stream": {
          schema: z.string().openapi({ example: 'event: token\ndata: {"content":"We"}\n\n' }),
        },
      },
    },
    400: error("Invalid question or topK"),
    502: error("The LLM answered with an error (`LLM_ERROR`, `LLM_BAD_EMBEDDING`)"),
    503: error("The LLM is unavailable (`LLM_UNAVAILABLE`), or RAG is still seeding (`NOT_READY`)"),
  },
});

/** `POST /documents`: chunk, embed, then store in one transaction. */
export const createDocumentRoute = createRoute({
  method: "post",
  path: "/documents",
  summary: "Add a document: chunked, embedded, indexed",
  request: { body: { content: json(DocumentInputSchema), required: true } },
  responses: {
    201: { description: "Stored with its chunks", content: json(CreatedSchema) },
    400: error("Invalid document"),
    502: error("The LLM answered with an error"),
    503: error("The LLM is unavailable, or RAG is still seeding"),
  },
});

/** `GET /documents`: a page of documents, newest first. */
export const listDocumentsRoute = createRoute({
  method: "get",
  path: "/documents",
  summary: "List documents, newest first",
  request: { query: ListQuerySchema },
  responses: {
    200: { description: "A page of documents", content: json(DocumentPageSchema) },
    400: error("Invalid limit or offset"),
    503: error("RAG is still seeding"),
  },
});

/** `DELETE /documents/{id}`: the document, its chunks, their FTS entries and vectors. */
export const deleteDocumentRoute = createRoute({
  method: "delete",
  path: "/documents/{id}",
  summary: "Delete a document with its chunks, index entries and vectors",
  request: { params: IdParamSchema },
  responses: {
    204: { description: "Deleted" },
    400: error("Invalid id"),
    404: error("No such document (`DOCUMENT_NOT_FOUND`)"),
    503: error("RAG is still seeding"),
  },
});

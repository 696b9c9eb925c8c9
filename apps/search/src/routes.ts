import { errorResponse as error, jsonContent as json } from "@app/kit";
import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import {
  DocumentIdSchema,
  DocumentInputSchema,
  DocumentSchema,
  REQUEST_MAX_BYTES,
  SearchQuerySchema,
  SearchResultSchema,
} from "./schemas.ts";

const notReady = error("The app is still seeding (NOT_READY, with progress)");
const limitBody = bodyLimit({ maxSize: REQUEST_MAX_BYTES });

/** `GET /` (mounted: `GET /search`): ranked documents for a query. */
export const searchRoute = createRoute({
  method: "get",
  path: "/",
  summary: "Full-text search, BM25-ranked, one hit per document",
  request: { query: SearchQuerySchema },
  responses: {
    200: { description: "A page of hits", content: json(SearchResultSchema) },
    400: error("VALIDATION_FAILED (a parameter) or INVALID_QUERY (nothing searchable in q)"),
    503: notReady,
  },
});

const documentBody = {
  required: true,
  content: json(DocumentInputSchema),
} as const;

export const createDocumentRoute = createRoute({
  method: "post",
  path: "/documents",
  summary: "Add a document; it is searchable as soon as this answers",
  middleware: [limitBody] as const,
  request: { body: documentBody },
  responses: {
    201: {
      description: "Created; Location names it",
      headers: z.object({ Location: z.string() }),
      content: json(z.object({ id: z.number().int() })),
    },
    400: error("VALIDATION_FAILED or INVALID_JSON"),
    413: error("PAYLOAD_TOO_LARGE"),
    415: error("UNSUPPORTED_MEDIA_TYPE"),
    503: notReady,
  },
});

export const getDocumentRoute = createRoute({
  method: "get",
  path: "/documents/{id}",
  summary: "One document",
  request: { params: DocumentIdSchema },
  responses: {
    200: { description: "The document", content: json(DocumentSchema) },
    400: error("VALIDATION_FAILED (id)"),
    404: error("DOCUMENT_NOT_FOUND"),
    503: notReady,
  },
});

export const replaceDocumentRoute = createRoute({
  method: "put",
  path: "/documents/{id}",
  summary: "Replace a document; its passages and index entries change in the same transaction",
  middleware: [limitBody] as const,
  request: { params: DocumentIdSchema, body: documentBody },
  responses: {
    200: { description: "The document as stored", content: json(DocumentSchema) },
    400: error("VALIDATION_FAILED or INVALID_JSON"),
    404: error("DOCUMENT_NOT_FOUND"),
    413: error("PAYLOAD_TOO_LARGE"),
    415: error("UNSUPPORTED_MEDIA_TYPE"),
    503: notReady,
  },
});

export const deleteDocumentRoute = createRoute({
  method: "delete",
  path: "/documents/{id}",
  summary: "Delete a document and its passages",
  request: { params: DocumentIdSchema },
  responses: {
    204: { description: "Deleted" },
    400: error("VALIDATION_FAILED (id)"),
    404: error("DOCUMENT_NOT_FOUND"),
    503: notReady,
  },
});

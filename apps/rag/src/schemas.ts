import { z } from "@hono/zod-openapi";

/** Control characters other than tab and newline: FTS5 stops reading a string at NUL. */
const controlChars = /[^\P{Cc}\t\n\r]/u;

/** `POST /rag/ask`'s body. */
export const AskBodySchema = z
  .object({
    question: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .openapi({ example: "What did the president say about the cost of health care?" }),
    topK: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(5)
      .openapi({ description: "chunks given to the model as context" }),
    stream: z.boolean().default(false).openapi({
      description: "answer as Server-Sent Events (so does `Accept: text/event-stream`)",
    }),
  })
  .openapi("AskRequest");

/** One source of an answer. */
export const CitationSchema = z
  .object({
    documentId: z.number().int(),
    title: z.string(),
    chunkId: z.number().int(),
    excerpt: z.string(),
    score: z.number().openapi({ description: "reciprocal-rank-fusion score, higher is better" }),
  })
  .openapi("Citation");

/** Where an answer's time went, in milliseconds. */
export const TimingsSchema = z
  .object({
    retrievalMs: z.number().openapi({ description: "SQLite: BM25, KNN, reading the chunks" }),
    embeddingMs: z.number().openapi({ description: "the question's embedding" }),
    generationMs: z.number().openapi({ description: "the chat call" }),
    totalMs: z.number(),
  })
  .openapi("AskTimings");

/** `POST /rag/ask`'s answer (non-streamed). */
export const AnswerSchema = z
  .object({
    answer: z.string(),
    citations: z.array(CitationSchema),
    model: z.string(),
    timings: TimingsSchema,
  })
  .openapi("Answer");

/** A document as clients send it (the same shape in every app). */
export const DocumentInputSchema = z
  .object({
    title: z.string().trim().min(1).max(500).openapi({ example: "Notes on the budget" }),
    body: z
      .string()
      .min(1)
      .max(1_000_000)
      .refine((body) => body.trim() !== "", "must not be blank")
      .refine((body) => !controlChars.test(body), "must not contain control characters")
      .openapi({ example: "The budget is balanced. Revenue grew by four percent." }),
    year: z.number().int().min(1).max(9999).nullish(),
    president: z.string().trim().min(1).max(200).nullish(),
  })
  .openapi("RagDocumentInput");

/** `POST /rag/documents`'s answer. */
export const CreatedSchema = z
  .object({ id: z.number().int(), chunks: z.number().int() })
  .openapi("RagDocumentCreated");

/** A document in the list. */
export const DocumentSummarySchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    year: z.number().int().nullable(),
    president: z.string().nullable(),
    sourceKey: z.string().nullable(),
    chunks: z.number().int(),
  })
  .openapi("RagDocument");

/** `GET /rag/documents`'s answer. */
export const DocumentPageSchema = z
  .object({
    documents: z.array(DocumentSummarySchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .openapi("RagDocumentPage");

/** `GET /rag/documents`'s query. */
export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
});

/** `/rag/documents/{id}`'s path. */
export const IdParamSchema = z.object({
  id: z.coerce
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: "id", in: "path" }, example: 42 }),
});

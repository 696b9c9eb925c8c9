import { z } from "@hono/zod-openapi";

/** Longest document body, in characters. */
export const BODY_MAX_CHARS = 1_000_000;
/** Largest request body, in bytes (a 1,000,000-character body of non-ASCII text is ~3 MB of UTF-8). */
export const REQUEST_MAX_BYTES = 4 * 1024 * 1024;
/** Deepest page: ranking more than this many documents only to skip them is not a search any more. */
export const OFFSET_MAX = 10_000;

/*
 * The snippet marks are control characters (see snippet.ts), so documents must not contain
 * any: plain text keeps tab, newline and carriage return, nothing else of the C0/C1 controls.
 */
const controlChar = /(?![\t\n\r])\p{Cc}/u;
const isPlainText = (text: string) => !controlChar.test(text);

const year = z.coerce.number().int().min(1).max(9999);

export const SearchQuerySchema = z
  .object({
    q: z.string().min(1).max(500).openapi({
      description:
        'Words (all must match), "exact phrases", and a trailing * for prefixes. Operators are not honoured: everything else is text.',
      example: '"national debt" tax*',
    }),
    limit: z.coerce.number().int().min(1).max(100).default(10),
    offset: z.coerce.number().int().min(0).max(OFFSET_MAX).default(0),
    from: year.optional().openapi({ description: "Earliest year, inclusive", example: 1900 }),
    to: year.optional().openapi({ description: "Latest year, inclusive", example: 1950 }),
    president: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "Exact name, case-insensitive", example: "Abraham Lincoln" }),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    path: ["from"],
    message: "from must not be after to",
  });

export const SearchHitSchema = z
  .object({
    documentId: z.number().int(),
    passageId: z.number().int(),
    title: z.string(),
    year: z.number().int().nullable(),
    president: z.string().nullable(),
    snippet: z.string().openapi({
      description: "HTML-safe text of the best passage; matched words in <mark>…</mark>",
      example: "…the <mark>emancipation</mark> of…",
    }),
    score: z.number().openapi({ description: "-bm25 of the best passage: higher is better" }),
  })
  .openapi("SearchHit");

export const SearchResultSchema = z
  .object({
    hits: z.array(SearchHitSchema),
    total: z.number().int().openapi({ description: "Matching documents" }),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .openapi("SearchResult");

export const DocumentInputSchema = z
  .object({
    title: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .refine(isPlainText, "must be plain text, without control characters"),
    body: z
      .string()
      .min(1)
      .max(BODY_MAX_CHARS)
      .refine(isPlainText, "must be plain text, without control characters"),
    year: z.number().int().min(1).max(9999).nullable().optional(),
    president: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine(isPlainText, "must be plain text, without control characters")
      .nullable()
      .optional(),
  })
  .strict()
  .openapi("DocumentInput");

export const DocumentSchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    body: z.string(),
    year: z.number().int().nullable(),
    president: z.string().nullable(),
    sourceKey: z.string().nullable().openapi({ description: "Corpus entry it was seeded from" }),
    passages: z.number().int(),
  })
  .openapi("Document");

export const DocumentIdSchema = z.object({
  id: z.coerce
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: "id", in: "path" }, example: 42 }),
});

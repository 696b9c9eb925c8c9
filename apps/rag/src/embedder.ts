import { AppError, type Llm } from "@app/kit";
import type { Ollama } from "ollama";

/**
 * Embeds texts through `/api/embed` in batches of `batchSize` (one request per batch, `input` an
 * array), in order. Every vector must have the same length, `dimensions` when given: a model
 * that changed under the same name must not slip vectors of another shape into the index.
 *
 * @throws {AppError} 502 `LLM_BAD_EMBEDDING` when the answer has the wrong count or shape;
 *   transport and Ollama errors unchanged (see `toLlmError`).
 * @example
 * ```ts
 * const vectors = await embedTexts(requestOllama(llm, signal), llm, chunks, { batchSize: 32 });
 * ```
 */
export async function embedTexts(
  ollama: Ollama,
  llm: Llm,
  texts: readonly string[],
  options: { batchSize: number; dimensions?: number | undefined },
): Promise<number[][]> {
  const vectors: number[][] = [];
  let dimensions = options.dimensions;
  for (let start = 0; start < texts.length; start += options.batchSize) {
    const input = texts.slice(start, start + options.batchSize);
    const { embeddings } = await ollama.embed({
      model: llm.embedModel,
      input,
      keep_alive: llm.keepAlive,
    });
    if (!Array.isArray(embeddings) || embeddings.length !== input.length) {
      throw badEmbedding(`asked for ${input.length} embeddings, got ${embeddings?.length}`);
    }
    for (const vector of embeddings) {
      dimensions ??= vector.length;
      if (vector.length !== dimensions || dimensions === 0) {
        throw badEmbedding(
          `${llm.embedModel} returned a vector of ${vector.length} dimensions, expected ${dimensions}`,
        );
      }
      vectors.push(vector);
    }
  }
  return vectors;
}

function badEmbedding(message: string): AppError {
  return new AppError(502, "LLM_BAD_EMBEDDING", message);
}

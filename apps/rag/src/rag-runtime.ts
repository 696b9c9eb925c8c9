import { type AppHealth, type ProgressReporter, packSentences, Readiness } from "@app/kit";
import { embedTexts } from "./embedder.ts";
import { untilLlmAnswers } from "./llm-retry.ts";
import { readMeta, setMeta } from "./meta.ts";
import { RagOptionError, type ResolvedRagOptions } from "./options.ts";
import { requestOllama } from "./request-ollama.ts";
import { embedMissing, seedDocuments, selectSeedDocuments } from "./seeder.ts";
import { detectVec0, type VectorBackend } from "./vector-backend.ts";
import { embeddingSpace, VectorStore } from "./vector-store.ts";

/**
 * The RAG app's state across start-up: which vector backend runs, the embedding space in use,
 * readiness with progress, and the background work `close()` must stop.
 *
 * `start()` runs, in order: detect sqlite-vec on the pool's connections; insert the seed
 * documents not seeded before (chunks, no vectors); learn the embedding model's dimension (one
 * tiny `/api/embed`); embed every chunk that has no vector in the current space (the seed's, or
 * all of them after a model change), in batches, resumable; drop the vectors of any other space
 * and record the current one in `rag_meta`; bring `rag_vec` in step. Routes answer 503 with the
 * progress until it is done.
 *
 * @example
 * ```ts
 * const runtime = new RagRuntime(resolveRagOptions({ db, llm }));
 * await runtime.start(createProgressReporter());
 * runtime.store.knn(vector, 10);
 * ```
 */
export class RagRuntime {
  readonly options: ResolvedRagOptions;
  #readiness = new Readiness();
  #detail: string | undefined;
  #store: VectorStore | undefined;
  #dimensions: number | undefined;
  readonly #stop = new AbortController();
  #starting: Promise<void> | undefined;

  constructor(options: ResolvedRagOptions) {
    this.options = options;
  }

  /** The vectors of the current space. Set once `start()` resolves (routes are gated until then). */
  get store(): VectorStore {
    if (this.#store === undefined) throw new Error("the RAG app has not started");
    return this.#store;
  }

  /** Length of the current space's vectors. */
  get dimensions(): number {
    if (this.#dimensions === undefined) throw new Error("the RAG app has not started");
    return this.#dimensions;
  }

  health(): AppHealth {
    const health = this.#readiness.health();
    if (this.#detail !== undefined && health.detail === undefined) health.detail = this.#detail;
    return health;
  }

  /** Starts once; later calls get the same promise. */
  start(progress: ProgressReporter): Promise<void> {
    this.#starting ??= this.#start(progress).catch((error: unknown) => {
      const message = this.#stop.signal.aborted
        ? "closed while starting"
        : error instanceof Error
          ? error.message
          : String(error);
      this.#readiness.failed(message);
      throw error;
    });
    return this.#starting;
  }

  /** Stops seeding or re-embedding (the batch in flight is aborted; what was stored stays). */
  async close(): Promise<void> {
    this.#stop.abort(new Error("the RAG app is closing"));
    await this.#starting?.catch(() => {});
  }

  async #start(progress: ProgressReporter): Promise<void> {
    const { db, llm, log } = this.options;
    const signal = this.#stop.signal;
    const backend = await this.#backend();

    const seed =
      this.options.seedDocs === 0
        ? []
        : selectSeedDocuments(this.options.corpus(), this.options.seedDocs);
    const chunk = (body: string) =>
      packSentences(body, {
        maxChars: this.options.chunkMaxChars,
        overlapChars: this.options.chunkOverlapChars,
      });
    const seeded = await this.#phase(progress, "rag: documents", "documents", (onProgress) =>
      seedDocuments(db, seed, chunk, { signal, onProgress }),
    );
    if (seeded.documents > 0)
      log(`rag: seeded ${seeded.documents} documents (${seeded.chunks} chunks)`);

    const meta = await readMeta(db);
    const ollama = requestOllama(llm, signal);
    const retry = {
      signal,
      minDelayMs: this.options.llmRetryMs,
      maxDelayMs: 30_000,
      onWait: (reason: string) => {
        this.#detail = reason;
      },
    };
    const dimensions = await this.#dimensionsOf(meta, (texts) =>
      embedTexts(ollama, llm, texts, { batchSize: 1 }),
    ).catch(() =>
      untilLlmAnswers(
        () => this.#probe((texts) => embedTexts(ollama, llm, texts, { batchSize: 1 })),
        retry,
      ),
    );
    const space = embeddingSpace(llm.embedModel, dimensions);
    const previous =
      meta.embedModel && meta.dimensions
        ? embeddingSpace(meta.embedModel, meta.dimensions)
        : undefined;
    if (previous !== undefined && previous !== space) {
      log(
        `rag: the embedding model changed from ${previous} to ${space}: re-embedding every chunk`,
      );
    }
    const store = new VectorStore(db, backend, space);
    const batchSize = this.options.embedBatchSize;
    const embedded = await this.#phase(progress, "rag: embedding", "chunks", (onProgress) => {
      this.#detail =
        previous !== undefined && previous !== space
          ? `re-embedding every chunk with ${space} (the stored vectors are ${previous}'s)`
          : `embedding chunks with ${space}`;
      return embedMissing(
        db,
        store,
        (texts) =>
          untilLlmAnswers(() => embedTexts(ollama, llm, texts, { batchSize, dimensions }), {
            ...retry,
            onWait: (reason) => {
              this.#detail = reason;
            },
          }),
        { batchSize, signal, onProgress },
      );
    });

    // Only now, with every chunk in the new space, do the old vectors go: never a mix.
    await db.transaction((tx) => {
      tx.run("delete from rag_embeddings where model <> ?", [space]);
      setMeta(tx, "embed_model", llm.embedModel);
      setMeta(tx, "dimensions", String(dimensions));
    });
    const indexed = await store.sync(dimensions, signal);
    if (indexed > 0) log(`rag: rag_vec rebuilt from ${indexed} stored vectors`);

    const chunks = (await db.get<{ n: number }>("select count(*) as n from rag_chunks"))?.n ?? 0;
    this.#store = store;
    this.#dimensions = dimensions;
    this.#detail = `vectors: ${this.#backendNote}; ${chunks} chunks in ${space}${embedded > 0 ? ` (${embedded} embedded at start-up)` : ""}`;
    this.#readiness.ready();
  }

  #backendNote = "";

  async #backend(): Promise<VectorBackend> {
    const { db, log, vectorBackend } = this.options;
    if (vectorBackend === "js") {
      this.#backendNote = "JS cosine scan (vectorBackend: js)";
    } else {
      const probe = await detectVec0(db);
      if (probe.available) {
        this.#backendNote = `vec0 (sqlite-vec ${probe.version})`;
      } else if (vectorBackend === "vec0") {
        throw new RagOptionError(
          "vectorBackend",
          `is "vec0" but sqlite-vec is not loaded on the pool's connections: ${probe.reason}`,
        );
      } else {
        this.#backendNote = "JS cosine scan (sqlite-vec is not loaded on the pool's connections)";
      }
    }
    log(`rag: vectors: ${this.#backendNote}`);
    return this.#backendNote.startsWith("vec0") ? "vec0" : "js";
  }

  /**
   * The model's vector length: asked once; when the LLM does not answer but the database already
   * holds this model's vectors, their length (the answer to a question will fail with 503 until
   * the LLM is back anyway). Rejects when neither is known.
   */
  async #dimensionsOf(
    meta: { embedModel: string | undefined; dimensions: number | undefined },
    embed: (texts: string[]) => Promise<number[][]>,
  ): Promise<number> {
    try {
      return await this.#probe(embed);
    } catch (error) {
      if (this.#stop.signal.aborted) throw error;
      if (meta.embedModel === this.options.llm.embedModel && meta.dimensions !== undefined) {
        this.options.log(
          `rag: the LLM did not answer; assuming ${meta.embedModel} still has ${meta.dimensions} dimensions`,
        );
        return meta.dimensions;
      }
      throw error;
    }
  }

  async #probe(embed: (texts: string[]) => Promise<number[][]>): Promise<number> {
    const [vector] = await embed(["dimension probe"]);
    return vector!.length;
  }

  /** Runs one step with its own progress (and so its own ETA) on `/health` and the reporter. */
  async #phase<T>(
    progress: ProgressReporter,
    label: string,
    unit: string,
    work: (onProgress: (done: number, total: number) => void) => Promise<T>,
  ): Promise<T> {
    const readiness = new Readiness();
    this.#readiness = readiness;
    const started = performance.now();
    let last = { done: 0, total: 0 };
    const result = await work((done, total) => {
      last = { done, total };
      readiness.seeding({ done, total, unit });
      const current = readiness.health().progress;
      if (total > 0) progress.update(label, current ?? { done, total, unit });
    });
    if (last.total > 0) {
      progress.end(
        label,
        `${last.done} ${unit} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    return result;
  }
}

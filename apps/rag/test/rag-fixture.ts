import type { ExampleApp } from "@app/kit";
import type { StandinOptions } from "@app/ollama-standin";
import { createRagApp } from "../src/index.ts";
import type { RagAppOptions } from "../src/options.ts";
import { FIXTURE_CORPUS } from "./fixtures.ts";
import { openTempDb, type TempDb } from "./temp-db.ts";
import { openTestLlm, type TestLlm } from "./test-llm.ts";

/** A started RAG app on a temp database and a stand-in, seeded with the fixture corpus. */
export interface RagFixture {
  rag: ExampleApp;
  llm: TestLlm;
  temp: TempDb;
  /** `POST` JSON to the app. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** Options that keep the fixture small: 300-character chunks, quiet logs. */
export const SMALL: Partial<RagAppOptions> = {
  corpus: () => FIXTURE_CORPUS,
  chunkMaxChars: 300,
  chunkOverlapChars: 80,
  embedBatchSize: 2,
  log: () => {},
};

/**
 * Builds and starts the RAG app on a fresh temp database and stand-in.
 *
 * @example
 * ```ts
 * const f = await startRag();
 * const res = await f.post("/ask", { question: "What did the eagles lay?" });
 * await f.close();
 * ```
 */
export async function startRag(
  options: Partial<RagAppOptions> = {},
  standin: StandinOptions = {},
): Promise<RagFixture> {
  const llm = await openTestLlm(standin);
  const temp = await openTempDb();
  const rag = createRagApp({ db: temp.db, llm, ...SMALL, ...options });
  await rag.start();
  return {
    rag,
    llm,
    temp,
    post: async (path, body, headers = {}) =>
      rag.app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      }),
    async close() {
      await rag.close?.();
      await temp.close();
      await llm.close();
    },
  };
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CorpusDocument } from "@app/kit";
import { type Standin, type StandinOptions, startStandin } from "@app/ollama-standin";
import { SqlitePool } from "@pool/sqlite";
import { type CagApp, createCagApp } from "../src/cag-app.ts";
import type { CagAppOptions } from "../src/cag-options.ts";
import { type LocalLlm, openLocalLlm } from "../src/local-llm.ts";
import { FIXTURE_CORPUS } from "./fixtures.ts";

/** A request body the stand-in's `/api/chat` received, as the test's fetch saw it. */
export interface SentChat {
  model: string;
  messages: { role: string; content: string }[];
  keep_alive?: string;
  options?: { num_ctx?: number; num_predict?: number };
}

type AppOverrides = Partial<Omit<CagAppOptions, "db" | "llm">>;

/**
 * A CAG app on a temp database file, a real stand-in on 127.0.0.1 and a real HttpPool, started
 * and ready. `sentChats` records every `/api/chat` body the app sent, byte for byte.
 * `restart()` builds a new app on the same database and stand-in, as a process restart would.
 */
export class Harness {
  readonly dir: string;
  readonly standin: Standin;
  readonly llm: LocalLlm;
  readonly db: SqlitePool;
  readonly sentChats: string[] = [];
  cag: CagApp;
  /** The injected clock, ms since the epoch. */
  nowMs = 1_700_000_000_000;
  readonly #overrides: AppOverrides;

  private constructor(
    dir: string,
    standin: Standin,
    llm: LocalLlm,
    db: SqlitePool,
    overrides: AppOverrides,
  ) {
    this.dir = dir;
    this.standin = standin;
    this.llm = llm;
    this.db = db;
    this.#overrides = overrides;
    this.cag = this.#create({});
  }

  static async start(
    options: { app?: AppOverrides; standin?: StandinOptions; llm?: { numCtx?: number } } = {},
  ): Promise<Harness> {
    const dir = mkdtempSync(join(tmpdir(), "cag-test-"));
    const standin = await startStandin(options.standin);
    const llm = await openLocalLlm({
      origin: standin.url,
      chatModel: standin.chatModel,
      embedModel: standin.embedModel,
      standin: true,
      ...options.llm,
    });
    const db = new SqlitePool({ path: join(dir, "cag.db") });
    let harness: Harness;
    try {
      harness = new Harness(dir, standin, llm, db, options.app ?? {});
    } catch (error) {
      await db.close();
      await llm.close();
      await standin.stop();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    // Record what goes over the wire, then hand it to the pool unchanged.
    const poolFetch = llm.fetch;
    llm.fetch = async (input, init) => {
      if (String(input).endsWith("/api/chat") && typeof init?.body === "string") {
        harness.sentChats.push(init.body);
      }
      return poolFetch(input, init);
    };
    await harness.db.migrate("cag", harness.cag.migrations);
    await harness.cag.start();
    return harness;
  }

  /** A new app on the same database and stand-in, started; the old one is closed. */
  async restart(overrides: AppOverrides = {}): Promise<CagApp> {
    await this.cag.close?.();
    this.cag = this.#create(overrides);
    await this.db.migrate("cag", this.cag.migrations);
    await this.cag.start();
    return this.cag;
  }

  ask(question: unknown, extra: Record<string, unknown> = {}, init: RequestInit = {}) {
    return this.cag.app.request("/ask", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question, ...extra }),
      ...init,
    });
  }

  async askJson(question: string): Promise<AskJson> {
    const res = await this.ask(question);
    if (res.status !== 200) throw new Error(`ask answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as AskJson;
  }

  /** Parsed `/api/chat` bodies sent so far. */
  chats(): SentChat[] {
    return this.sentChats.map((body) => JSON.parse(body) as SentChat);
  }

  async close(): Promise<void> {
    await this.cag.close?.();
    await this.db.close();
    await this.llm.close();
    await this.standin.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  #create(overrides: AppOverrides): CagApp {
    return createCagApp({
      db: this.db,
      llm: this.llm,
      env: {},
      log: () => {},
      corpus: (): CorpusDocument[] => FIXTURE_CORPUS,
      now: () => this.nowMs,
      ...this.#overrides,
      ...overrides,
    });
  }
}

/** The JSON answer of `/ask`. */
export interface AskJson {
  answer: string;
  cache: "exact" | "semantic" | "miss";
  model: string;
  contextHash: string;
  llm: "up" | "down";
  matched?: { question: string; score: number };
  timings: Record<string, number>;
}

/** The error body every app answers with. */
export interface ErrorJson {
  error: { code: string; message: string; field?: string };
}

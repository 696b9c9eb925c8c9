import type { LlmState } from "@app/kit";
import type { HttpFetch } from "@pool/http";

/**
 * Options of an {@link LlmMonitor}. Times in milliseconds.
 *
 * @example
 * ```ts
 * new LlmMonitor({ fetch: pool.fetch, origin, standin: false, models, log: console.log });
 * ```
 */
export interface LlmMonitorOptions {
  /** The LLM pool's fetch: the check goes through the pool like every other request. */
  fetch: HttpFetch;
  origin: string;
  standin: boolean;
  models: { chat: string; embed: string };
  /** Called on start-up and whenever availability changes. [log=console.log] */
  log?: (line: string) => void;
  /** One check's limit. [checkTimeoutMs=5000] */
  checkTimeoutMs?: number;
  /** First retry delay while down; doubles up to `maxRetryDelayMs`. [retryDelayMs=1000] */
  retryDelayMs?: number;
  /** [maxRetryDelayMs=30000] */
  maxRetryDelayMs?: number;
  /** Re-check period while up, so a later outage or a newly pulled model is seen. [recheckMs=30000] */
  recheckMs?: number;
  /**
   * True while every connection of the LLM pool is taken by other requests. A check that
   * timed out then waited behind them: the LLM is busy, not down, and the state stays as it
   * was. [busy=() => false]
   */
  busy?: () => boolean;
}

/**
 * Checks `/api/tags` at start-up and then in the background: with a bounded exponential backoff
 * while the LLM is down or a model is missing, every `recheckMs` while all is well. It never
 * switches to another LLM: the stored vectors and cached answers belong to this one's models.
 *
 * @example
 * ```ts
 * const monitor = new LlmMonitor({ fetch: http.fetch, origin, standin: false, models });
 * await monitor.start(); // resolves after the first check, up or down
 * monitor.state().available;
 * monitor.stop();
 * ```
 */
export class LlmMonitor {
  private readonly o: Required<LlmMonitorOptions>;
  private current: LlmState;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private stopped = false;
  private readonly stopController = new AbortController();
  private first = true;
  private running: Promise<void> | undefined;

  constructor(options: LlmMonitorOptions) {
    this.o = {
      log: (line) => console.log(line),
      checkTimeoutMs: 5_000,
      retryDelayMs: 1_000,
      maxRetryDelayMs: 30_000,
      recheckMs: 30_000,
      busy: () => false,
      ...options,
    };
    this.current = {
      origin: options.origin,
      standin: options.standin,
      reachable: undefined,
      available: false,
      models: { ...options.models },
      missing: [],
      pull: [],
      checkedAt: undefined,
      error: undefined,
    };
  }

  /** The latest state; a copy, safe to serialize. */
  state(): LlmState {
    return structuredClone(this.current);
  }

  /** Runs the first check (never rejects) and schedules the next ones. */
  async start(): Promise<LlmState> {
    await this.check();
    return this.state();
  }

  /**
   * Checks now, out of schedule (an app that saw a connection error may call it). One check
   * runs at a time: callers during a check share it, so a burst of failing requests cannot
   * pile checks onto the pool they are meant to diagnose.
   */
  check(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const before = this.current.available;
    const next = await this.probe();
    if (this.stopped) return;
    this.current = next;
    this.failures = next.available ? 0 : this.failures + 1;
    if (this.first || before !== next.available) this.report(next);
    this.first = false;
    this.schedule(next.available ? this.o.recheckMs : this.backoffMs());
  }

  /** Stops checking; an in-flight check is abandoned. Idempotent. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopController.abort();
  }

  private backoffMs(): number {
    const base = Math.min(this.o.retryDelayMs * 2 ** (this.failures - 1), this.o.maxRetryDelayMs);
    // Jitter so several servers pointed at one Ollama do not retry in step.
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.check(), delayMs);
    this.timer.unref();
  }

  private async probe(): Promise<LlmState> {
    const base = { ...this.current, checkedAt: new Date().toISOString() };
    try {
      const signal = AbortSignal.any([
        AbortSignal.timeout(this.o.checkTimeoutMs),
        this.stopController.signal,
      ]);
      const response = await this.o.fetch("/api/tags", { signal });
      if (!response.ok) {
        await response.body?.cancel();
        return down(
          base,
          `LLM_HTTP_${response.status}`,
          `GET /api/tags answered ${response.status}`,
        );
      }
      const body = (await response.json()) as { models?: Array<{ name?: string; model?: string }> };
      const present = new Set<string>();
      for (const m of body.models ?? []) {
        for (const name of [m.name, m.model]) if (name) present.add(withTag(name));
      }
      const wanted = [...new Set([base.models.chat, base.models.embed])];
      const missing = wanted.filter((model) => !present.has(withTag(model)));
      return {
        ...base,
        reachable: true,
        available: missing.length === 0,
        missing,
        pull: missing.map((model) => `ollama pull ${model}`),
        error:
          missing.length === 0
            ? undefined
            : { code: "LLM_MODEL_MISSING", message: `missing model(s): ${missing.join(", ")}` },
      };
    } catch (error) {
      const code = errorCode(error);
      if (code === "LLM_CHECK_TIMEOUT" && this.o.busy()) return base;
      return down(base, code, error instanceof Error ? error.message : String(error));
    }
  }

  private report(s: LlmState): void {
    const kind = s.standin ? "the built-in Ollama stand-in" : "Ollama";
    if (s.available) {
      this.o.log(
        `LLM: ${kind} at ${s.origin} is up (chat ${s.models.chat}, embed ${s.models.embed})`,
      );
    } else if (s.reachable) {
      this.o.log(`LLM: ${kind} at ${s.origin} lacks ${s.missing.join(" and ")}; run:`);
      for (const command of s.pull) this.o.log(`  ${command}`);
    } else {
      this.o.log(
        `LLM: ${kind} at ${s.origin} is unreachable (${s.error?.code}); LLM routes answer 503, ` +
          "retrying in the background",
      );
    }
  }
}

function down(base: LlmState, code: string, message: string): LlmState {
  return { ...base, reachable: false, available: false, error: { code, message } };
}

/** Ollama names a model without a tag `:latest`. */
function withTag(model: string): string {
  return model.includes(":") ? model : `${model}:latest`;
}

function errorCode(error: unknown): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return "LLM_CHECK_TIMEOUT";
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "LLM_UNREACHABLE";
}

import type { Server } from "bun";
import { StandinError } from "./errors.ts";
import { FaultState, type Faults } from "./faults.ts";
import { type ResolvedStandinOptions, resolveOptions, type StandinOptions } from "./options.ts";
import { PrefixSlots } from "./prefix-slots.ts";
import {
  type CallCounts,
  RequestLog,
  type RequestRecord,
  type TokenTotals,
} from "./request-log.ts";
import { route } from "./router.ts";
import type { ServerContext } from "./server-context.ts";

/**
 * A running Ollama-compatible stand-in. Read its counters in tests; inject faults with
 * {@link Standin.setFaults}; `stop()` when done.
 *
 * @example
 * ```ts
 * await using standin = await startStandin();
 * const ollama = new Ollama({ host: standin.url });
 * await ollama.embed({ model: standin.embedModel, input: "hello" });
 * standin.calls.embed; // 1
 * ```
 */
export class Standin {
  readonly #options: ResolvedStandinOptions;
  readonly #context: ServerContext;
  #server: Server<undefined> | undefined;
  #port: number;
  #stopped = false;

  /** @internal Use {@link startStandin}. */
  constructor(options: ResolvedStandinOptions) {
    this.#options = options;
    this.#context = {
      options,
      slots: new PrefixSlots(options.slots),
      log: new RequestLog(options.maxLogEntries),
      faults: new FaultState(options.faults),
    };
    this.#port = options.port;
    this.#listen();
    if (options.faults.down === true) {
      // Listen once anyway, so that a free port is chosen and kept for when `down` is lifted.
      void this.#server?.stop(true);
      this.#server = undefined;
    }
  }

  /** `http://host:port`, the origin to give a client or an `HttpPool`. */
  get url(): string {
    return `http://${this.#options.hostname}:${this.#port}`;
  }
  /** The port it listens on (the same after `down` is lifted). */
  get port(): number {
    return this.#port;
  }
  get chatModel(): string {
    return this.#options.chatModel;
  }
  get embedModel(): string {
    return this.#options.embedModel;
  }
  get dimensions(): number {
    return this.#options.dimensions;
  }
  /** Requests per endpoint since start or `reset()` (a live object). */
  get calls(): Readonly<CallCounts> {
    return this.#context.log.calls;
  }
  /** Requests whose client went away before the answer was complete. */
  get aborted(): number {
    return this.#context.log.aborted;
  }
  /** Requests being served now (a streamed one until its last line). */
  get inFlight(): number {
    return this.#context.log.inFlight;
  }
  /** Most requests in flight at once since start or `reset()`. */
  get maxConcurrent(): number {
    return this.#context.log.maxConcurrent;
  }
  /** Distinct client connections seen since start or `reset()`. */
  get connectionsSeen(): number {
    return this.#context.log.connectionsSeen;
  }
  /** The last `maxLogEntries` requests, oldest first (a live array). */
  get requests(): readonly RequestRecord[] {
    return this.#context.log.requests;
  }
  /** Prompt, reused-prefix and generated tokens over every chat request. */
  get totals(): Readonly<TokenTotals> {
    return this.#context.log.totals;
  }
  /** The faults in force. */
  get faults(): Faults {
    return this.#context.faults.current;
  }

  /**
   * Replaces the faults (validated: a bad one throws `STANDIN_INVALID_OPTION` and changes
   * nothing). `down: true` stops listening at once (open connections are closed); lifting it
   * listens again on the same port. The promise settles when the listener has changed.
   */
  async setFaults(faults: Faults): Promise<void> {
    if (this.#stopped) throw new StandinError("STANDIN_STOPPED", "the stand-in was stopped");
    this.#context.faults.set(faults);
    const down = faults.down === true;
    if (down && this.#server !== undefined) {
      const server = this.#server;
      this.#server = undefined;
      await server.stop(true);
    } else if (!down && this.#server === undefined) {
      this.#listen();
    }
  }

  /** Zeroes the counters and the log, and empties the slots' prompt caches. */
  reset(): void {
    this.#context.log.reset();
    this.#context.slots.reset();
  }

  /** Stops listening and closes every connection. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const server = this.#server;
    this.#server = undefined;
    await server?.stop(true);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #listen(): void {
    const context = this.#context;
    this.#server = Bun.serve({
      port: this.#port,
      hostname: this.#options.hostname,
      // A slow fault or a long answer must not be cut by Bun's 10 s idle timer.
      idleTimeout: 0,
      fetch: (req, server) => route(req, context, server.requestIP(req)?.port),
    });
    this.#port = this.#server.port ?? this.#port;
  }
}

/**
 * Starts an Ollama-compatible stand-in on `hostname:port` (default `127.0.0.1`, a free port).
 * Throws `STANDIN_INVALID_OPTION` on a bad option.
 *
 * @example
 * ```ts
 * const standin = await startStandin({ chunkDelayMs: 10 });
 * const pool = new HttpPool({ origin: standin.url, connections: 4 });
 * const ollama = new Ollama({ host: standin.url, fetch: pool.fetch });
 * ```
 */
export async function startStandin(options?: StandinOptions): Promise<Standin> {
  return new Standin(resolveOptions(options));
}

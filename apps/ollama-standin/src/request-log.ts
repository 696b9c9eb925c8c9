import { ENDPOINTS, type Endpoint } from "./endpoints.ts";

/** One request as the stand-in saw it, in `standin.requests`. */
export interface RequestRecord {
  /** Request path, e.g. `/api/chat`. */
  path: string;
  endpoint: Endpoint;
  /** `model` of the body, when it had one. */
  model?: string;
  /** Whether the answer was streamed (chat only). */
  stream?: boolean;
  /** `options.num_ctx` as sent (chat and embed). */
  numCtx?: number;
  /** `keep_alive` as sent. */
  keepAlive?: string | number;
  /** Prompt tokens of a chat request ({@link tokenize} over the rendered prompt). */
  promptTokens?: number;
  /** Of those, tokens the slot's cache already had (the shared prefix). */
  reusedTokens?: number;
  /** The slot that served a chat request. */
  slot?: number;
  /** Whether the prompt was longer than `num_ctx` (a real Ollama would truncate it). */
  truncated?: boolean;
  /** Inputs embedded by an embed request. */
  inputs?: number;
  /** HTTP status sent (200 for a stream that later failed mid-way); 0 if none was sent. */
  status: number;
  /** Whether the client went away before the answer was complete. */
  aborted: boolean;
}

/** Calls per endpoint, in `standin.calls`. */
export type CallCounts = Record<Endpoint, number>;

/** Token totals over every chat request, in `standin.totals`. */
export interface TokenTotals {
  promptTokens: number;
  reusedTokens: number;
  evalTokens: number;
}

/**
 * The stand-in's counters and its bounded request log (the oldest entries drop out past
 * `maxEntries`). Counts are kept in place, so an object read once stays live; `reset()` zeroes
 * them in place too.
 *
 * @example
 * ```ts
 * const log = new RequestLog(1000);
 * const record = log.begin("/api/chat", "chat");
 * log.finish(record, { aborted: false });
 * log.calls.chat; // 1
 * ```
 */
export class RequestLog {
  readonly calls: CallCounts = zeroCalls();
  readonly totals: TokenTotals = { promptTokens: 0, reusedTokens: 0, evalTokens: 0 };
  readonly requests: RequestRecord[] = [];
  aborted = 0;
  inFlight = 0;
  maxConcurrent = 0;
  readonly #connections = new Set<number>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** Client sockets seen since the last reset (told apart by their source port). */
  get connectionsSeen(): number {
    return this.#connections.size;
  }

  /** Counts a request that arrived; its record is filled in as it is served. */
  begin(path: string, endpoint: Endpoint, clientPort?: number): RequestRecord {
    this.calls[endpoint]++;
    this.inFlight++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.inFlight);
    if (clientPort !== undefined) this.#connections.add(clientPort);
    const record: RequestRecord = { path, endpoint, status: 0, aborted: false };
    this.requests.push(record);
    if (this.requests.length > this.#maxEntries) this.requests.shift();
    return record;
  }

  /** Ends a request: called exactly once, when its answer is complete, failed or abandoned. */
  finish(record: RequestRecord, outcome: { aborted: boolean }): void {
    this.inFlight--;
    if (outcome.aborted) {
      record.aborted = true;
      this.aborted++;
    }
  }

  /** Adds a chat request's tokens to the totals. */
  addTokens(prompt: number, reused: number, evaluated: number): void {
    this.totals.promptTokens += prompt;
    this.totals.reusedTokens += reused;
    this.totals.evalTokens += evaluated;
  }

  /** Zeroes every counter and empties the log; requests in flight still count as in flight. */
  reset(): void {
    Object.assign(this.calls, zeroCalls());
    Object.assign(this.totals, { promptTokens: 0, reusedTokens: 0, evalTokens: 0 });
    this.requests.length = 0;
    this.aborted = 0;
    this.maxConcurrent = this.inFlight;
    this.#connections.clear();
  }
}

function zeroCalls(): CallCounts {
  return Object.fromEntries(ENDPOINTS.map((endpoint) => [endpoint, 0])) as CallCounts;
}

import type { RequestLog, RequestRecord } from "./request-log.ts";

/**
 * One request in progress: its log record, and the one place that ends it. A request ends once:
 * when its answer is complete (`respond` for a whole body, `end` for a stream), or when the
 * client goes away first (its `signal` aborts, or the stream is cancelled), which counts it as
 * aborted.
 *
 * @example
 * ```ts
 * const exchange = new Exchange(log, record, req.signal);
 * return exchange.respond(jsonResponse({ version }));
 * ```
 */
export class Exchange {
  readonly record: RequestRecord;
  readonly signal: AbortSignal;
  readonly #log: RequestLog;
  #ended = false;
  readonly #onAbort = () => this.end(true);

  constructor(log: RequestLog, record: RequestRecord, signal: AbortSignal) {
    this.#log = log;
    this.record = record;
    this.signal = signal;
    if (signal.aborted) this.end(true);
    else signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Whether the request has ended (answered, or abandoned by its client). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Records the status and ends the request with this whole response. */
  respond(response: Response): Response {
    this.record.status = response.status;
    this.end(false);
    return response;
  }

  /** Ends the request; `aborted` when the client left before the answer was complete. */
  end(aborted: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    this.signal.removeEventListener("abort", this.#onAbort);
    this.#log.finish(this.record, { aborted });
  }
}

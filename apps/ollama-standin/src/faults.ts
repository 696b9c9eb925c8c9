import { ENDPOINTS, type Endpoint } from "./endpoints.ts";
import { checkInteger, checkKeys, StandinError } from "./errors.ts";

/**
 * Faults to inject, at start (`startStandin({ faults })`) or at run time (`setFaults`). Each
 * applies to the requests of `endpoints` (default: every endpoint), for the next `times` of them
 * (default: until changed).
 *
 * @example
 * ```ts
 * standin.setFaults({ status: 500, message: "out of memory", endpoints: ["chat"], times: 1 });
 * standin.setFaults({ headersDelayMs: { embed: 200 } });
 * standin.setFaults({ dropAfterChunks: 2 });
 * await standin.setFaults({ down: true }); // connections are refused until down is lifted
 * ```
 */
export interface Faults {
  /** Wait this long before answering (before the headers): one figure, or one per endpoint. */
  headersDelayMs?: number | Partial<Record<Endpoint, number>>;
  /** Answer this error status (400–599) with Ollama's `{ error }` body instead. */
  status?: number;
  /** The `error` text for `status` and `midStreamErrorAfterChunks` (default: a generic one). */
  message?: string;
  /**
   * Streamed chat: after this many chunks, send a `{"error": message}` line and end (Ollama
   * does this after its 200). A non-streamed answer fails with 500 `{ error }` instead.
   */
  midStreamErrorAfterChunks?: number;
  /**
   * Streamed chat: after this many chunks, cut the connection (the client sees a reset in the
   * middle of the body). A non-streamed answer is cut before its body.
   */
  dropAfterChunks?: number;
  /** Stop listening: new connections are refused and open ones closed, until lifted. */
  down?: boolean;
  /** The endpoints the faults above apply to (`down` always applies to all). */
  endpoints?: Endpoint[];
  /** Apply the faults to this many more requests of `endpoints`, then clear them. */
  times?: number;
}

const FAULT_KEYS = [
  "headersDelayMs",
  "status",
  "message",
  "midStreamErrorAfterChunks",
  "dropAfterChunks",
  "down",
  "endpoints",
  "times",
] as const;

const MAX_DELAY_MS = 3_600_000;

/**
 * Validates faults, throwing `STANDIN_INVALID_OPTION` (with the field in `option`) on an
 * unknown key or a bad value.
 *
 * @example
 * ```ts
 * checkFaults({ status: 700 }); // throws: status must be an integer from 400 to 599
 * ```
 */
export function checkFaults(faults: Faults): void {
  if (typeof faults !== "object" || faults === null) {
    throw new StandinError("STANDIN_INVALID_OPTION", "faults must be an object", "faults");
  }
  checkKeys("fault", faults, FAULT_KEYS);
  const delay = faults.headersDelayMs;
  if (typeof delay === "object" && delay !== null) {
    checkKeys("headersDelayMs endpoint", delay, ENDPOINTS);
    for (const [endpoint, ms] of Object.entries(delay)) {
      checkInteger(`headersDelayMs.${endpoint}`, ms, 0, MAX_DELAY_MS);
    }
  } else {
    checkInteger("headersDelayMs", delay, 0, MAX_DELAY_MS);
  }
  checkInteger("status", faults.status, 400, 599);
  checkInteger("midStreamErrorAfterChunks", faults.midStreamErrorAfterChunks, 0, 1_000_000);
  checkInteger("dropAfterChunks", faults.dropAfterChunks, 0, 1_000_000);
  checkInteger("times", faults.times, 1, 1_000_000);
  if (faults.message !== undefined && typeof faults.message !== "string") {
    throw new StandinError("STANDIN_INVALID_OPTION", "message must be a string", "message");
  }
  if (faults.down !== undefined && typeof faults.down !== "boolean") {
    throw new StandinError("STANDIN_INVALID_OPTION", "down must be a boolean", "down");
  }
  if (faults.endpoints !== undefined) {
    const bad = Array.isArray(faults.endpoints)
      ? faults.endpoints.find((e) => !(ENDPOINTS as readonly string[]).includes(e))
      : faults.endpoints;
    if (bad !== undefined) {
      throw new StandinError(
        "STANDIN_INVALID_OPTION",
        `endpoints must list some of ${ENDPOINTS.join(", ")}, got ${String(bad)}`,
        "endpoints",
      );
    }
  }
}

/** The faults one request meets, resolved for its endpoint. */
export interface RequestFaults {
  headersDelayMs: number;
  status: number | undefined;
  message: string;
  midStreamErrorAfterChunks: number | undefined;
  dropAfterChunks: number | undefined;
}

const NO_FAULTS: RequestFaults = {
  headersDelayMs: 0,
  status: undefined,
  message: "",
  midStreamErrorAfterChunks: undefined,
  dropAfterChunks: undefined,
};

/**
 * The current faults of a stand-in; `take(endpoint)` resolves them for one request and counts
 * it against `times`.
 *
 * @example
 * ```ts
 * const faults = new FaultState({ status: 500, times: 1 });
 * faults.take("chat").status; // 500
 * faults.take("chat").status; // undefined
 * ```
 */
export class FaultState {
  #faults: Faults;
  #left: number;

  constructor(faults: Faults = {}) {
    this.#faults = {};
    this.#left = Number.POSITIVE_INFINITY;
    this.set(faults);
  }

  /** The faults as last set (a copy). */
  get current(): Faults {
    return { ...this.#faults };
  }

  /** Replaces every fault (validated first: on a bad one nothing changes). */
  set(faults: Faults): void {
    checkFaults(faults);
    this.#faults = { ...faults };
    this.#left = faults.times ?? Number.POSITIVE_INFINITY;
  }

  /** The faults for one request to `endpoint`. */
  take(endpoint: Endpoint): RequestFaults {
    const faults = this.#faults;
    if (this.#left <= 0 || !(faults.endpoints ?? ENDPOINTS).includes(endpoint)) return NO_FAULTS;
    const delay = faults.headersDelayMs;
    const resolved: RequestFaults = {
      headersDelayMs: (typeof delay === "object" ? delay[endpoint] : delay) ?? 0,
      status: faults.status,
      message: faults.message ?? "injected fault",
      midStreamErrorAfterChunks: faults.midStreamErrorAfterChunks,
      dropAfterChunks: faults.dropAfterChunks,
    };
    const any =
      resolved.headersDelayMs > 0 ||
      resolved.status !== undefined ||
      resolved.midStreamErrorAfterChunks !== undefined ||
      resolved.dropAfterChunks !== undefined;
    if (any && --this.#left <= 0) this.#faults = faults.down === true ? { down: true } : {};
    return resolved;
  }
}

import { commonPrefixLength } from "./tokenize.ts";

/** What a slot keeps from its last request, as a llama.cpp slot keeps its KV cache. */
interface SlotState {
  model: string;
  numCtx: number;
  tokens: readonly string[];
  busy: boolean;
  lastUsed: number;
}

/** A slot lent to one chat request; give it back with `release`. */
export interface SlotLease {
  /** Index of the slot, 0-based. */
  readonly slot: number;
  /** Leading prompt tokens this slot already had evaluated (its cache hit). */
  readonly reusedTokens: number;
  /** Whether the slot had to (re)load the model: first use, other model or other `num_ctx`. */
  readonly loaded: boolean;
  /** Frees the slot; with `unload` (Ollama's `keep_alive: 0`) it forgets its prompt too. */
  release(unload?: boolean): void;
}

/**
 * Ollama's parallel slots (`OLLAMA_NUM_PARALLEL`) and their prompt caches, modelled: a chat
 * request takes a free slot, preferring the one whose previous prompt shares the longest token
 * prefix with its own (else the least recently used), and waits in FIFO order when all are busy.
 * The shared prefix is "reused", except that the last prompt token is always evaluated (as
 * llama.cpp does, to get logits). Another model or `num_ctx` than the slot's last one reloads it,
 * so nothing is reused.
 *
 * @example
 * ```ts
 * const slots = new PrefixSlots(2);
 * const lease = await slots.acquire({ model: "m", numCtx: 4096, tokens, signal });
 * try { generate(lease.reusedTokens); } finally { lease.release(); }
 * ```
 */
export class PrefixSlots {
  readonly #slots: SlotState[];
  readonly #waiting: (() => void)[] = [];
  // Slots freed for a woken waiter that has not resumed yet: newcomers must not take them.
  #handedOff = 0;
  #clock = 0;

  constructor(count: number) {
    this.#slots = Array.from({ length: count }, () => ({
      model: "",
      numCtx: 0,
      tokens: [],
      busy: false,
      lastUsed: 0,
    }));
  }

  /** Slots busy with a request right now. */
  get busy(): number {
    return this.#slots.filter((slot) => slot.busy).length;
  }

  /** Requests waiting for a slot right now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** The models some slot holds, for `/api/ps`. */
  loadedModels(): string[] {
    return [...new Set(this.#slots.filter((slot) => slot.model !== "").map((slot) => slot.model))];
  }

  /**
   * Waits for a slot (FIFO) and takes it for this prompt. Rejects with `signal.reason` if the
   * signal aborts while waiting (the request then never held a slot).
   */
  async acquire(request: {
    model: string;
    numCtx: number;
    tokens: readonly string[];
    signal?: AbortSignal;
  }): Promise<SlotLease> {
    const free = this.#slots.filter((slot) => !slot.busy).length;
    if (this.#waiting.length > 0 || free - this.#handedOff <= 0) {
      await this.#wait(request.signal);
      // release() reserved a free slot for this request: take it even if it was aborted since.
      this.#handedOff--;
    }
    let chosen = -1;
    let bestShared = -1;
    this.#slots.forEach((slot, i) => {
      if (slot.busy) return;
      const shared = this.#shared(slot, request);
      const better =
        shared > bestShared ||
        (shared === bestShared && slot.lastUsed < this.#slots[chosen]!.lastUsed);
      if (better) {
        chosen = i;
        bestShared = shared;
      }
    });
    const slot = this.#slots[chosen]!;
    const loaded = slot.model !== request.model || slot.numCtx !== request.numCtx;
    const reusedTokens = Math.min(bestShared, Math.max(request.tokens.length - 1, 0));
    Object.assign(slot, {
      model: request.model,
      numCtx: request.numCtx,
      tokens: request.tokens,
      busy: true,
      lastUsed: ++this.#clock,
    });
    let released = false;
    return {
      slot: chosen,
      reusedTokens,
      loaded,
      release: (unload = false) => {
        if (released) return;
        released = true;
        slot.busy = false;
        if (unload) Object.assign(slot, { model: "", numCtx: 0, tokens: [] });
        const next = this.#waiting.shift();
        if (next !== undefined) {
          this.#handedOff++;
          next();
        }
      },
    };
  }

  /** Forgets every slot's prompt and model (as if Ollama restarted); busy slots stay busy. */
  reset(): void {
    for (const slot of this.#slots) Object.assign(slot, { model: "", numCtx: 0, tokens: [] });
  }

  #shared(slot: SlotState, request: { model: string; numCtx: number; tokens: readonly string[] }) {
    if (slot.model !== request.model || slot.numCtx !== request.numCtx) return 0;
    return commonPrefixLength(slot.tokens, request.tokens);
  }

  #wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiting.indexOf(wake);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal!.reason);
      };
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(wake);
    });
  }
}

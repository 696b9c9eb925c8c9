/**
 * Why a resource was destroyed; `stats().destroyed` counts each.
 *
 * @example
 * ```ts
 * pool.on("destroy", (conn, reason: DestroyReason) => log(reason)); // "idle", "lifetime", ...
 * ```
 */
export type DestroyReason =
  | "released" // lease.destroy()
  | "validation" // validate said no
  | "idle" // idle longer than idleTimeoutMs
  | "lifetime" // older than its max lifetime
  | "maxUses" // lent maxUses times
  | "evicted" // pool.evict(), or its own idle deadline passed
  | "closed"; // pool.close()

/**
 * A lease held longer than `leakDetectionMs`.
 *
 * @example
 * ```ts
 * pool.on("leak", ({ heldMs, stack }: LeakReport<Conn>) => log.warn({ heldMs, stack }));
 * ```
 */
export interface LeakReport<T> {
  resource: T;
  heldMs: number;
  /** Stack of the code that called `acquire()`. */
  stack: string;
}

/**
 * Listener signatures of every pool event.
 *
 * @example
 * ```ts
 * const onError: PoolEvents<Conn>["createError"] = (error) => log.error(error);
 * pool.on("createError", onError);
 * ```
 */
export interface PoolEvents<T> {
  create: (resource: T) => void;
  destroy: (resource: T, reason: DestroyReason) => void;
  acquire: (resource: T) => void;
  release: (resource: T) => void;
  createError: (error: unknown) => void;
  destroyError: (error: unknown, resource: T) => void;
  leak: (report: LeakReport<T>) => void;
}

type Listeners<T> = { [K in keyof PoolEvents<T>]?: PoolEvents<T>[K][] };
type AnyListener = (...args: never[]) => void;

/**
 * A small typed emitter. A listener that throws is reported on the console, never thrown into
 * the pool: an observer must not break the resource bookkeeping it observes.
 */
export class Emitter<T> {
  protected listeners: Listeners<T> = {};

  /**
   * Adds a listener; returns a function that removes it.
   *
   * @example
   * ```ts
   * const off = pool.on("leak", ({ heldMs, stack }) => console.warn(heldMs, stack));
   * off();
   * ```
   */
  on<K extends keyof PoolEvents<T>>(event: K, listener: PoolEvents<T>[K]): () => void {
    const list = (this.listeners[event] ?? []) as AnyListener[];
    this.listeners[event] = list as Listeners<T>[K];
    list.push(listener);
    return () => this.off(event, listener);
  }

  /** Removes a listener added with {@link on}. */
  off<K extends keyof PoolEvents<T>>(event: K, listener: PoolEvents<T>[K]): void {
    const list = this.listeners[event] as AnyListener[] | undefined;
    if (!list) return;
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) delete this.listeners[event];
  }

  protected emit<K extends keyof PoolEvents<T>>(
    event: K,
    ...args: Parameters<PoolEvents<T>[K]>
  ): void {
    const list = this.listeners[event];
    if (list === undefined) return;
    for (const listener of list.slice()) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (error) {
        console.error(`@pool/core: a "${event}" listener threw`, error);
      }
    }
  }
}

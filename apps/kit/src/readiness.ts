import type { AppHealth } from "./example-app.ts";
import type { Progress } from "./progress.ts";

/**
 * Holds one app's `AppHealth` through `starting → seeding → ready` (or `failed`), with the
 * seeding progress and its ETA, so `health()` and the `notReady` gate read the same state.
 *
 * @example
 * ```ts
 * const readiness = new Readiness();
 * readiness.seeding({ done: 0, total: 233, unit: "documents" });
 * readiness.ready();
 * readiness.health(); // { state: "ready", ready: true }
 * ```
 */
export class Readiness {
  #state: AppHealth["state"] = "starting";
  #progress: Progress | undefined;
  #detail: string | undefined;
  #seedStartedAt = 0;

  /**
   * Records progress; the ETA is extrapolated from the rate since the first call with this
   * `unit` (a new unit is a new phase, at its own rate).
   */
  seeding(progress: Omit<Progress, "etaS">): void {
    if (this.#state !== "seeding" || this.#progress?.unit !== progress.unit) {
      this.#state = "seeding";
      this.#seedStartedAt = performance.now();
    }
    const elapsedS = (performance.now() - this.#seedStartedAt) / 1000;
    const next: Progress = { ...progress };
    delete next.etaS;
    if (progress.done > 0 && progress.done < progress.total) {
      next.etaS =
        Math.round((elapsedS / progress.done) * (progress.total - progress.done) * 10) / 10;
    }
    this.#progress = next;
  }

  ready(): void {
    this.#state = "ready";
    this.#progress = undefined;
    this.#detail = undefined;
  }

  failed(detail: string): void {
    this.#state = "failed";
    this.#detail = detail;
  }

  get isReady(): boolean {
    return this.#state === "ready";
  }

  health(): AppHealth {
    const health: AppHealth = { state: this.#state, ready: this.#state === "ready" };
    if (this.#progress && this.#state === "seeding") health.progress = { ...this.#progress };
    if (this.#detail !== undefined) health.detail = this.#detail;
    return health;
  }
}

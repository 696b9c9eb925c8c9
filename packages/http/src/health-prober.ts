import type { Upstream } from "./balancer.ts";
import { RequestHeaders } from "./request-headers.ts";

/**
 * How down upstreams are probed.
 */
export interface ProbeSettings {
  /** `GET` this path; without it a probe only opens a TCP connection. */
  path: string | undefined;
  intervalMs: number;
  timeoutMs: number;
}

/**
 * Probes upstreams the balancer took out of rotation, every `intervalMs`, and puts each back
 * after one successful probe: a status below 500 on `path`, or an accepted TCP connection.
 * Timers are unref'd; `stop()` clears them all.
 *
 * @example
 * ```ts
 * const prober = new HealthProber({ path: "/health", intervalMs: 2_000, timeoutMs: 1_000 });
 * prober.watch(upstream);
 * ```
 */
export class HealthProber {
  private readonly timers = new Map<Upstream, ReturnType<typeof setInterval>>();
  private readonly probing = new Set<Upstream>();
  private stopped = false;

  constructor(private readonly settings: ProbeSettings) {}

  /** Starts probing a down upstream until it answers. */
  watch(upstream: Upstream): void {
    if (this.stopped || this.timers.has(upstream)) return;
    const timer = setInterval(() => void this.probeOnce(upstream), this.settings.intervalMs);
    timer.unref();
    this.timers.set(upstream, timer);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
  }

  private async probeOnce(upstream: Upstream): Promise<void> {
    if (this.probing.has(upstream)) return;
    this.probing.add(upstream);
    try {
      const up = await this.probe(upstream);
      if (!up || this.stopped) return;
      upstream.healthy = true;
      upstream.failures = 0;
      const timer = this.timers.get(upstream);
      if (timer !== undefined) clearInterval(timer);
      this.timers.delete(upstream);
    } finally {
      this.probing.delete(upstream);
    }
  }

  private async probe(upstream: Upstream): Promise<boolean> {
    const { path, timeoutMs } = this.settings;
    if (path !== undefined) {
      try {
        const response = await upstream.transport.send({
          method: "GET",
          target: path,
          headers: new RequestHeaders(),
          body: null,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel();
        return response.status < 500;
      } catch {
        return false;
      }
    }
    return connects(new URL(upstream.transport.origin), timeoutMs);
  }
}

/** True when a TCP connection to the origin's host and port opens within `timeoutMs`. */
function connects(url: URL, timeoutMs: number): Promise<boolean> {
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  return new Promise<boolean>((resolve) => {
    let done = false;
    // A probe is background work: it must not keep the process alive once the pool is closed.
    const timer = setTimeout(() => finish(false), timeoutMs);
    timer.unref();
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(ok);
    };
    Bun.connect({ hostname, port, socket: { data() {}, connectError() {} } }).then(
      (socket) => {
        socket.terminate();
        finish(true);
      },
      () => finish(false),
    );
  });
}

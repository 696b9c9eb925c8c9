/**
 * A mixed load against a running server: search queries, document reads and writes, and (when
 * the apps are mounted) RAG and CAG questions, so the pools have waiters that queue and drain.
 */

/** What a request of the mix does. */
export type LoadKind = "search" | "document" | "write" | "rag" | "cag";

/**
 * Options of {@link runLoad}.
 *
 * @example
 * ```ts
 * await runLoad({ url: "http://127.0.0.1:3000", seconds: 20, concurrency: 16, llmConcurrency: 8 });
 * ```
 */
export interface LoadOptions {
  /** The server's origin, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** How long new requests are started; the ones in flight then finish (the drain). */
  seconds: number;
  /** Clients looping over search, document reads and writes. */
  concurrency: number;
  /** Clients asking RAG/CAG questions (only when those apps are mounted). */
  llmConcurrency: number;
  /** Longest a single request may take before it is counted as failed. [requestTimeoutMs=60000] */
  requestTimeoutMs?: number;
  /** Progress lines, every 5 s. [log=console.log] */
  log?: (line: string) => void;
}

/** What one kind of request did. */
export interface KindReport {
  requests: number;
  /** 2xx answers. */
  ok: number;
  /** Other answers by status, and `error` for network errors and timeouts. */
  failures: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

/** What {@link runLoad} did. */
export interface LoadReport {
  /** Mounted apps the mix used. */
  apps: string[];
  /** From the first request to the last answer, drain included. */
  elapsedS: number;
  kinds: Partial<Record<LoadKind, KindReport>>;
}

const QUERIES = [
  "freedom",
  "social security",
  '"health care"',
  "tax*",
  "economy jobs",
  "war peace",
  "education children",
  '"the state of the union"',
  "immigra*",
  "energy independence",
  "slavery",
  "railroad",
];

const TOPICS = [
  "taxes",
  "the economy",
  "jobs",
  "health care",
  "education",
  "energy",
  "immigration",
  "the military",
  "trade",
  "the budget deficit",
  "civil rights",
  "agriculture",
  "railroads",
  "the banks",
  "veterans",
  "foreign policy",
  "the environment",
  "crime",
  "social security",
  "the navy",
];

/** A few repeated questions (the CAG cache answers them), the rest varied (it cannot). */
const REPEATED = [
  "What did the president say about taxes?",
  "What was said about the economy and jobs?",
  "How did presidents talk about education?",
];

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

function question(): string {
  if (Math.random() < 0.3) return pick(REPEATED);
  return `What did the president say about ${pick(TOPICS)} and ${pick(TOPICS)}?`;
}

/** Milliseconds of each answer, for percentiles. */
class KindStats {
  readonly report: KindReport = { requests: 0, ok: 0, failures: {}, p50Ms: 0, p99Ms: 0 };
  readonly #times: number[] = [];

  record(status: number | "error", ms: number): void {
    this.report.requests++;
    this.#times.push(ms);
    if (typeof status === "number" && status >= 200 && status < 300) this.report.ok++;
    else this.report.failures[String(status)] = (this.report.failures[String(status)] ?? 0) + 1;
  }

  finish(): KindReport {
    const sorted = this.#times.toSorted((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    this.report.p50Ms = at(0.5);
    this.report.p99Ms = at(0.99);
    return this.report;
  }
}

/**
 * Waits until every mounted app says it is ready in `/health` (RAG and CAG get ready after
 * search: they embed or warm up first), polling every 200 ms for at most `timeoutMs`.
 *
 * @throws Error naming the apps still not ready at the deadline.
 * @example
 * ```ts
 * await everyAppReady("http://127.0.0.1:3000");
 * ```
 */
export async function everyAppReady(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let waiting: string[] = [];
  while (performance.now() < deadline) {
    const res = await fetch(`${url.replace(/\/$/, "")}/health`);
    const body = (await res.json()) as { apps?: Record<string, { ready?: boolean }> };
    waiting = Object.entries(body.apps ?? {})
      .filter(([, app]) => !app.ready)
      .map(([name]) => name);
    if (res.status === 200 && waiting.length === 0) return;
    await Bun.sleep(200);
  }
  throw new Error(`not ready after ${timeoutMs} ms: ${waiting.join(", ") || "the server"}`);
}

/**
 * Drives the mix for `seconds`, then waits for the requests in flight (bounded by
 * `requestTimeoutMs`), and reports per kind. Reads `/health` first to learn which apps are
 * mounted. Documents it creates it also deletes.
 *
 * @example
 * ```ts
 * const report = await runLoad({ url, seconds: 10, concurrency: 8, llmConcurrency: 4 });
 * console.log(formatReport(report));
 * ```
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  const base = options.url.replace(/\/$/, "");
  const health = (await (await fetch(`${base}/health`)).json()) as { apps?: object };
  const apps = Object.keys(health.apps ?? {});
  const stats = new Map<LoadKind, KindStats>();
  let inFlight = 0;

  const send = async (kind: LoadKind, path: string, init: RequestInit = {}): Promise<unknown> => {
    const s = stats.get(kind) ?? new KindStats();
    stats.set(kind, s);
    const started = performance.now();
    inFlight++;
    try {
      const res = await fetch(`${base}${path}`, {
        ...init,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = await res.text();
      s.record(res.status, performance.now() - started);
      return res.ok && body.startsWith("{") ? JSON.parse(body) : undefined;
    } catch {
      s.record("error", performance.now() - started);
      return undefined;
    } finally {
      inFlight--;
    }
  };
  const json = (method: string, body: unknown): RequestInit => ({
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const running = () => performance.now() < deadline;

  const searchClient = async () => {
    while (running()) {
      const r = Math.random();
      if (r < 0.6) {
        await send("search", `/search?q=${encodeURIComponent(pick(QUERIES))}&limit=10`);
      } else if (r < 0.9) {
        await send("document", `/search/documents/${1 + Math.floor(Math.random() * 233)}`);
      } else {
        const doc = { title: "Load test note", body: `A note about ${pick(TOPICS)}.` };
        const created = (await send("write", "/search/documents", json("POST", doc))) as
          | { id?: number }
          | undefined;
        if (created?.id !== undefined) {
          await send(
            "write",
            `/search/documents/${created.id}`,
            json("PUT", { ...doc, year: 2026 }),
          );
          await send("write", `/search/documents/${created.id}`, { method: "DELETE" });
        }
      }
    }
  };
  const llmApps = (["rag", "cag"] as const).filter((app) => apps.includes(app));
  const llmClient = async (i: number) => {
    let turn = i;
    while (running()) {
      const app = llmApps[turn++ % llmApps.length]!;
      await send(app, `/${app}/ask`, json("POST", { question: question() }));
    }
  };

  const ticker = setInterval(() => {
    const total = [...stats.values()].reduce((n, s) => n + s.report.requests, 0);
    const t = ((performance.now() - started) / 1000).toFixed(0);
    log(`  ${t} s: ${total} answered, ${inFlight} in flight`);
  }, 5_000);
  try {
    await Promise.all([
      ...Array.from({ length: options.concurrency }, searchClient),
      ...(llmApps.length > 0
        ? Array.from({ length: options.llmConcurrency }, (_, i) => llmClient(i))
        : []),
    ]);
  } finally {
    clearInterval(ticker);
  }
  const kinds: LoadReport["kinds"] = {};
  for (const [kind, s] of stats) kinds[kind] = s.finish();
  return { apps, elapsedS: (performance.now() - started) / 1000, kinds };
}

/**
 * The report as a small table, one line per kind.
 *
 * @example
 * ```ts
 * console.log(formatReport(await runLoad(options)));
 * // kind      requests  ok     req/s  p50 ms  p99 ms  failures
 * // search    5120      5120   256    3.1     18.0    -
 * ```
 */
export function formatReport(report: LoadReport): string {
  const rows = [["kind", "requests", "ok", "req/s", "p50 ms", "p99 ms", "failures"]];
  for (const [kind, k] of Object.entries(report.kinds)) {
    const failures = Object.entries(k.failures)
      .map(([status, n]) => `${n}×${status}`)
      .join(" ");
    rows.push([
      kind,
      String(k.requests),
      String(k.ok),
      (k.requests / report.elapsedS).toFixed(1),
      k.p50Ms.toFixed(1),
      k.p99Ms.toFixed(1),
      failures || "-",
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

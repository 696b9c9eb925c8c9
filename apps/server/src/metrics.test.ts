import { describe, expect, it } from "bun:test";
import { createCagApp } from "@app/cag";
import { FIXTURE, searchOnFixture, tempServer } from "../test/temp-server.ts";
import type { AppEntry } from "./apps.ts";

/** The value of one sample line, e.g. `pool_sqlite_writer_pending 0`. */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`no sample ${series} in:\n${text}`);
  return Number(line.slice(series.length + 1));
}

describe("GET /metrics", () => {
  it("exposes the pools' figures under the server's own names, read at scrape time", async () => {
    await using t = await tempServer();
    await t.server.start();
    const res = await t.server.app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    for (const name of [
      "pool_size",
      "pool_idle",
      "pool_borrowed",
      "pool_pending",
      "pool_acquire_wait_seconds",
      "pool_acquires_total",
      "pool_sqlite_writer_pending",
      "pool_sqlite_workers",
      "pool_sqlite_statement_cache_total",
      "pool_sqlite_transactions_total",
      "pool_http_connections_opened_total",
      "pool_http_connections_reused_total",
      "pool_http_requests_in_flight",
      "pool_http_ttfb_seconds",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain("# TYPE pool_acquires_total counter");
    expect(text).toContain("# TYPE pool_sqlite_writer_pending gauge");
    expect(sample(text, "pool_sqlite_writer_pending")).toBe(0);
    expect(text).toContain('pool_acquire_wait_seconds{pool="sqlite_writer",quantile="0.99"}');

    // The same figures as the pools' stats(), taken when scraped.
    const origin = t.server.llm.origin;
    const labels = `{pool="llm",origin="${origin}"}`;
    await t.server.llm.fetch("/api/version").then((r) => r.text());
    await t.server.llm.fetch("/api/version").then((r) => r.text());
    const after = await (await t.server.app.request("/metrics")).text();
    const http = t.server.llm.pool.stats().origins[origin]!;
    expect(sample(after, `pool_http_requests_total${labels}`)).toBe(http.requests.total);
    expect(sample(after, `pool_http_connections_opened_total${labels}`)).toBe(
      http.connections!.created,
    );
    expect(sample(after, `pool_http_connections_reused_total${labels}`)).toBe(
      http.connections!.reused,
    );
    expect(http.connections!.reused).toBeGreaterThan(0);
    const committed = t.server.db.stats().transactions.committed;
    expect(committed).toBeGreaterThan(0);
    expect(sample(after, 'pool_sqlite_transactions_total{outcome="committed"}')).toBe(committed);
  });

  it("counts HTTP requests by route pattern, not by raw path", async () => {
    await using t = await tempServer();
    await t.server.start();
    for (const id of [1, 2, 3, 999]) await t.server.app.request(`/search/documents/${id}`);
    await t.server.app.request("/no/such/route");
    const text = await (await t.server.app.request("/metrics")).text();
    expect(
      sample(text, 'http_requests_total{method="GET",route="/search/documents/:id",status="200"}'),
    ).toBe(3);
    expect(
      sample(text, 'http_requests_total{method="GET",route="/search/documents/:id",status="404"}'),
    ).toBe(1);
    expect(sample(text, 'http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(
      1,
    );
    expect(text).not.toContain('route="/search/documents/1"');
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/search/documents/:id",status="200"} 3',
    );
  });

  it("maps the CAG app's cache and prompt evaluation figures when it is mounted", async () => {
    const cag: AppEntry = {
      create: ({ db, llm }) =>
        createCagApp({ db, llm, corpus: () => FIXTURE, env: {}, log: () => {} }),
      required: true,
    };
    await using t = await tempServer({}, { apps: [searchOnFixture, cag] });
    await t.server.start();
    const ask = (question: string) =>
      t.server.app.request("/cag/ask", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ question }),
      });
    expect((await ask("What is proposed about emancipation?")).status).toBe(200);
    expect((await ask("what is proposed about emancipation")).status).toBe(200);
    const text = await (await t.server.app.request("/metrics")).text();
    expect(sample(text, 'app_answer_cache_misses_total{app="cag"}')).toBe(1);
    expect(sample(text, 'app_answer_cache_hits_total{app="cag",kind="exact"}')).toBe(1);
    expect(sample(text, 'app_llm_calls_saved_total{app="cag"}')).toBe(1);
    expect(sample(text, 'app_answer_cache_hit_ratio{app="cag"}')).toBe(0.5);
    expect(sample(text, 'llm_prompt_eval_seconds_count{app="cag"}')).toBe(1);
  });

  it("registers no app series when no mounted app reports LLM work", async () => {
    await using t = await tempServer();
    const text = await (await t.server.app.request("/metrics")).text();
    expect(text).not.toContain("app_answer_cache_hits_total");
  });
});

import { afterEach, describe, expect, it } from "bun:test";
import type { LlmState } from "@app/kit";
import { type Standin, startStandin } from "@app/ollama-standin";
import { HttpPool } from "@pool/http";
import { LlmMonitor, type LlmMonitorOptions } from "./llm-monitor.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(
  models?: { chat: string; embed: string },
  options: Partial<LlmMonitorOptions> = {},
): Promise<{ standin: Standin; monitor: LlmMonitor; lines: string[] }> {
  const standin = await startStandin();
  cleanups.push(() => standin.stop());
  const pool = new HttpPool({ origin: standin.url, connections: 2 });
  cleanups.push(() => pool.close());
  const lines: string[] = [];
  const monitor = new LlmMonitor({
    fetch: pool.fetch,
    origin: standin.url,
    standin: false,
    models: models ?? { chat: standin.chatModel, embed: standin.embedModel },
    log: (line) => lines.push(line),
    retryDelayMs: 10,
    maxRetryDelayMs: 40,
    ...options,
  });
  cleanups.push(() => monitor.stop());
  return { standin, monitor, lines };
}

/** Polls until `predicate` holds, for at most `limitMs` (the monitor retries on its own). */
async function until(monitor: LlmMonitor, predicate: (s: LlmState) => boolean, limitMs = 5_000) {
  const deadline = Date.now() + limitMs;
  while (!predicate(monitor.state())) {
    if (Date.now() > deadline)
      throw new Error(`state never matched: ${JSON.stringify(monitor.state())}`);
    await Bun.sleep(10);
  }
  return monitor.state();
}

describe("LlmMonitor", () => {
  it("reports an LLM with both models as available", async () => {
    const { monitor, lines } = await setUp();
    const state = await monitor.start();
    expect(state).toMatchObject({ reachable: true, available: true, missing: [], pull: [] });
    expect(state.error).toBeUndefined();
    expect(state.checkedAt).toBeString();
    expect(lines.join("\n")).toContain("is up");
  });

  it("names each missing model and the ollama pull command for it", async () => {
    const { standin, monitor, lines } = await setUp(undefined, {});
    const { monitor: wanting, lines: wantingLines } = await setUp({
      chat: "llama3.2",
      embed: "nomic-embed-text",
    });
    await monitor.start();
    expect(standin.calls.tags).toBeGreaterThan(0);
    expect(lines.join()).not.toContain("ollama pull");
    const state = await wanting.start();
    expect(state).toMatchObject({
      reachable: true,
      available: false,
      missing: ["llama3.2", "nomic-embed-text"],
      pull: ["ollama pull llama3.2", "ollama pull nomic-embed-text"],
      error: { code: "LLM_MODEL_MISSING" },
    });
    expect(wantingLines).toContain("  ollama pull llama3.2");
    expect(wantingLines).toContain("  ollama pull nomic-embed-text");
  });

  it("matches a model named without a tag against the :latest Ollama lists", async () => {
    const { standin, monitor } = await setUp();
    const tagged = new LlmMonitor({
      fetch: (input, init) => fetch(new URL(String(input), standin.url), init),
      origin: standin.url,
      standin: false,
      models: { chat: `${standin.chatModel}:latest`, embed: standin.embedModel },
      log: () => {},
    });
    cleanups.push(() => tagged.stop());
    expect((await tagged.start()).available).toBe(true);
    expect((await monitor.start()).available).toBe(true);
  });

  it("reports a down LLM with a code, keeps retrying and sees it come back", async () => {
    const { standin, monitor, lines } = await setUp();
    await standin.setFaults({ down: true });
    const down = await monitor.start();
    expect(down).toMatchObject({ reachable: false, available: false });
    expect(down.error?.code).toBe("HTTP_CONNECT_FAILED");
    expect(lines.join("\n")).toContain("unreachable (HTTP_CONNECT_FAILED)");
    await standin.setFaults({ down: false });
    const up = await until(monitor, (s) => s.available);
    expect(up.error).toBeUndefined();
    expect(lines.at(-1)).toContain("is up");
  });

  it("reports an error status from /api/tags as unreachable with the status in the code", async () => {
    const { standin, monitor } = await setUp();
    await standin.setFaults({ status: 500, endpoints: ["tags"] });
    const state = await monitor.start();
    expect(state).toMatchObject({ reachable: false, error: { code: "LLM_HTTP_500" } });
  });

  it("stops retrying after stop()", async () => {
    const { standin, monitor } = await setUp();
    await standin.setFaults({ down: true });
    await monitor.start();
    monitor.stop();
    const checkedAt = monitor.state().checkedAt;
    await standin.setFaults({ down: false });
    await Bun.sleep(100); // several retry periods (10–40 ms)
    expect(monitor.state().checkedAt).toBe(checkedAt);
    expect(monitor.state().reachable).toBe(false);
  });

  // A burst of failing asks each calling recheck() used to start a check apiece, all queued on
  // the LLM pool they were meant to diagnose.
  it("runs one check at a time: concurrent check() calls share it", async () => {
    const { standin, monitor } = await setUp();
    await monitor.start();
    const before = standin.calls.tags ?? 0;
    await Promise.all(Array.from({ length: 10 }, () => monitor.check()));
    expect((standin.calls.tags ?? 0) - before).toBe(1);
  });

  describe("when a check times out", () => {
    /** A fetch that answers /api/tags once, then hangs until its signal aborts. */
    function hangingAfterFirst(models: {
      chat: string;
      embed: string;
    }): LlmMonitorOptions["fetch"] {
      let calls = 0;
      return (_input, init) => {
        if (calls++ === 0) {
          const body = { models: [{ name: models.chat }, { name: models.embed }] };
          return Promise.resolve(Response.json(body));
        }
        return new Promise<Response>((_, reject) => {
          const signal = init?.signal as AbortSignal;
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        });
      };
    }
    const models = { chat: "chat:latest", embed: "embed:latest" };

    /** A monitor whose checks time out after 30 ms, with the pool's `busy` as given. */
    function monitorWith(busy: boolean): LlmMonitor {
      const monitor = new LlmMonitor({
        fetch: hangingAfterFirst(models),
        origin: "http://127.0.0.1:1",
        standin: false,
        models,
        log: () => {},
        checkTimeoutMs: 30,
        busy: () => busy,
      });
      cleanups.push(() => monitor.stop());
      return monitor;
    }

    it("keeps the LLM up while every pool connection is busy with other requests", async () => {
      const monitor = monitorWith(true);
      expect((await monitor.start()).available).toBe(true);
      await monitor.check();
      expect(monitor.state()).toMatchObject({ available: true, reachable: true });
    });

    it("reports it down when the pool was not busy", async () => {
      const monitor = monitorWith(false);
      expect((await monitor.start()).available).toBe(true);
      await monitor.check();
      expect(monitor.state()).toMatchObject({ available: false, reachable: false });
      expect(monitor.state().error?.code).toBe("LLM_CHECK_TIMEOUT");
    });
  });
});

import { afterEach, describe, expect, it } from "bun:test";
import { type AskJson, type ErrorJson, Harness } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CACHED = "How many jobs did the economy add?";

describe("POST /ask with the LLM down", () => {
  it("still serves cached answers, marked llm: down, and 503s the rest", async () => {
    h = await Harness.start();
    const cached = await h.askJson(CACHED);
    expect(cached.llm).toBe("up");
    await h.standin.setFaults({ down: true });
    await h.llm.recheck(); // as the server's monitor would
    expect(h.llm.state().available).toBe(false);

    const hit = (await h.askJson(CACHED)) as AskJson;
    expect(hit).toMatchObject({ cache: "exact", llm: "down", answer: cached.answer });

    const res = await h.ask("What happened to prescription drug prices?");
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorJson).error.code).toBe("LLM_UNAVAILABLE");
    expect(h.cag.metrics().errors).toBe(1);
  });

  it("answers 503 when the connection fails before the check has noticed, and asks for a re-check", async () => {
    h = await Harness.start();
    await h.standin.setFaults({ down: true });
    expect(h.llm.state().available).toBe(true); // nobody has checked yet
    const res = await h.ask("What happened to prescription drug prices?");
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorJson).error.code).toBe("LLM_UNAVAILABLE");
    const deadline = Date.now() + 5_000;
    while (h.llm.state().available && Date.now() < deadline) await Bun.sleep(5);
    expect(h.llm.state().available).toBe(false);
  });

  it("answers 502 LLM_ERROR when the LLM answers an error status", async () => {
    h = await Harness.start();
    await h.standin.setFaults({ status: 500, endpoints: ["chat"], times: 1 });
    const res = await h.ask("What happened to prescription drug prices?");
    expect(res.status).toBe(502);
    expect(((await res.json()) as ErrorJson).error.code).toBe("LLM_ERROR");
  });

  it("recovers once the LLM is back", async () => {
    h = await Harness.start();
    await h.standin.setFaults({ down: true });
    await h.llm.recheck();
    expect((await h.ask(CACHED)).status).toBe(503);
    await h.standin.setFaults({});
    // The pool fails fast while it backs off after the refused connects: re-check as the
    // server's monitor does, until it answers (bounded).
    const deadline = Date.now() + 10_000;
    while (!h.llm.state().available && Date.now() < deadline) {
      await h.llm.recheck();
      if (!h.llm.state().available) await Bun.sleep(50);
    }
    expect((await h.askJson(CACHED)).cache).toBe("miss");
  });

  it("starts without a warm-up when the LLM is down, and is ready anyway", async () => {
    h = await Harness.start();
    await h.standin.setFaults({ down: true });
    await h.llm.recheck();
    const app = await h.restart();
    expect(app.health()).toMatchObject({ state: "ready", ready: true });
    expect(app.warmup()).toMatchObject({ ok: false });
  });
});

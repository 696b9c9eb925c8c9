import { describe, expect, it } from "bun:test";
import { StandinError } from "./errors.ts";
import { resolveOptions } from "./options.ts";
import { startStandin } from "./standin.ts";

describe("startStandin options", () => {
  it("fills in the documented defaults", () => {
    expect(resolveOptions()).toMatchObject({
      port: 0,
      hostname: "127.0.0.1",
      chatModel: "standin-chat",
      embedModel: "standin-embed",
      dimensions: 384,
      chunkDelayMs: 0,
      slots: 2,
    });
  });

  it("rejects an unknown key or a bad value with STANDIN_INVALID_OPTION naming the field", async () => {
    const cases: [object, string][] = [
      [{ slot: 2 }, "slot"],
      [{ slots: 0 }, "slots"],
      [{ port: 70_000 }, "port"],
      [{ chunkDelayMs: -1 }, "chunkDelayMs"],
      [{ dimensions: 1.5 }, "dimensions"],
      [{ chatModel: "" }, "chatModel"],
      [{ faults: { status: 99 } }, "status"],
    ];
    for (const [options, field] of cases) {
      const error = await startStandin(options as never).catch((e) => e);
      expect(error).toBeInstanceOf(StandinError);
      expect(error.code).toBe("STANDIN_INVALID_OPTION");
      expect(error.option).toBe(field);
    }
  });

  it("serves other model names and dimensions", async () => {
    const standin = await startStandin({
      chatModel: "llama3.2",
      embedModel: "nomic-embed-text",
      dimensions: 768,
    });
    const res = await fetch(`${standin.url}/api/embed`, {
      method: "POST",
      body: JSON.stringify({ model: "nomic-embed-text", input: "x" }),
    });
    const body = (await res.json()) as { embeddings: number[][] };
    expect(body.embeddings[0]).toHaveLength(768);
    await standin.stop();
  });
});

describe("stop", () => {
  it("is idempotent, and setFaults after it fails with STANDIN_STOPPED", async () => {
    const standin = await startStandin();
    await standin.stop();
    await standin.stop();
    const error = await standin.setFaults({}).catch((e) => e);
    expect(error).toBeInstanceOf(StandinError);
    expect(error.code).toBe("STANDIN_STOPPED");
  });
});

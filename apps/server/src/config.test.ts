import { describe, expect, it } from "bun:test";
import { isAbsolute, join } from "node:path";
import { loadConfig } from "./config.ts";
import { ConfigError } from "./config-error.ts";

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("loadConfig accepted it");
}

describe("loadConfig", () => {
  it("fills in every default from an empty environment", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.sqlite.path).toBe(join(import.meta.dir, "..", "..", "..", "data", "pool.db"));
    expect(config.sqlite.workers).toBe(2);
    expect(config.sqlite.readers).toBeUndefined();
    expect(config.sqlite.perRequest).toBe(false);
    expect(config.llm).toEqual({
      origin: undefined,
      embedModel: "nomic-embed-text",
      chatModel: "llama3.2",
      connections: 4,
      headersTimeoutMs: 600_000,
      numCtx: 32_768,
      keepAlive: "30m",
    });
  });

  it("reads every variable it documents", () => {
    const config = loadConfig({
      PORT: "0",
      HOST: "0.0.0.0",
      DATABASE_PATH: "some/dir/x.db",
      SQLITE_READERS: "3",
      SQLITE_WORKERS: "2",
      SQLITE_PER_REQUEST: "1",
      OLLAMA_HOST: "http://10.0.0.5:11434",
      EMBED_MODEL: "mxbai-embed-large",
      CHAT_MODEL: "qwen2.5:7b",
      LLM_CONNECTIONS: "8",
      LLM_HEADERS_TIMEOUT_MS: "120_000",
      LLM_NUM_CTX: "8192",
      LLM_KEEP_ALIVE: "1h30m",
    });
    expect(config.port).toBe(0);
    expect(config.host).toBe("0.0.0.0");
    expect(isAbsolute(config.sqlite.path)).toBe(true);
    expect(config.sqlite.path.endsWith(join("some", "dir", "x.db"))).toBe(true);
    expect(config.sqlite).toMatchObject({ readers: 3, workers: 2, perRequest: true });
    expect(config.llm).toEqual({
      origin: "http://10.0.0.5:11434",
      embedModel: "mxbai-embed-large",
      chatModel: "qwen2.5:7b",
      connections: 8,
      headersTimeoutMs: 120_000,
      numCtx: 8192,
      keepAlive: "1h30m",
    });
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ PORT: "", OLLAMA_HOST: " " })).toMatchObject({
      port: 3000,
      llm: { origin: undefined },
    });
  });

  it("takes OLLAMA_HOST as Ollama's CLI does: bare host:port, default port 11434", () => {
    expect(loadConfig({ OLLAMA_HOST: "127.0.0.1:11500" }).llm.origin).toBe(
      "http://127.0.0.1:11500",
    );
    expect(loadConfig({ OLLAMA_HOST: "http://gpu-box" }).llm.origin).toBe("http://gpu-box:11434");
    expect(loadConfig({ OLLAMA_HOST: "http://gpu-box:80/" }).llm.origin).toBe("http://gpu-box");
    expect(loadConfig({ OLLAMA_HOST: "https://llm.example" }).llm.origin).toBe(
      "https://llm.example",
    );
  });

  it.each([
    ["PORT", "http"],
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["PORT", "3000.5"],
    ["SQLITE_WORKERS", "two"],
    ["SQLITE_READERS", "0"],
    ["SQLITE_PER_REQUEST", "yes please"],
    ["LLM_CONNECTIONS", "0"],
    ["LLM_HEADERS_TIMEOUT_MS", "10m"],
    ["LLM_NUM_CTX", "1e5"],
    ["LLM_KEEP_ALIVE", "forever"],
    ["IDLE_TIMEOUT_S", "256"],
    ["OLLAMA_HOST", "ftp://x"],
    ["OLLAMA_HOST", "http://x:11434/api"],
    ["OLLAMA_HOST", "http://exa mple"],
  ])("refuses %s=%p with CONFIG_INVALID naming the variable", (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.variable).toBe(variable);
    expect(error.value).toBe(value);
  });
});

import { isAbsolute, join, resolve } from "node:path";
import { ConfigError } from "./config-error.ts";

/** The repository root: the default database lives under it, whatever the working directory. */
const REPO_ROOT = join(import.meta.dir, "..", "..", "..");

/**
 * Everything the combined server reads from its environment, with defaults filled in.
 *
 * @example
 * ```ts
 * const config = loadConfig({ PORT: "8080", OLLAMA_HOST: "http://127.0.0.1:11434" });
 * config.port; // 8080
 * config.llm.origin; // "http://127.0.0.1:11434"
 * ```
 */
export interface ServerConfig {
  /** `PORT` [3000]; `0` picks a free port. */
  port: number;
  /**
   * `HOST` [127.0.0.1]. Loopback by default: the example API has write routes and no
   * authentication, so reaching it from other machines is an explicit choice (`HOST=0.0.0.0`).
   */
  host: string;
  /** `IDLE_TIMEOUT_S` [30]: Bun.serve's idle limit per connection; LLM routes lift it per request. */
  idleTimeoutS: number;
  /** `MAX_BODY_BYTES` [1 MiB]: larger request bodies get 413 `PAYLOAD_TOO_LARGE`. */
  maxBodyBytes: number;
  /** `SHUTDOWN_TIMEOUT_MS` [10000]: how long in-flight requests may run after SIGTERM. */
  shutdownTimeoutMs: number;
  sqlite: {
    /** `DATABASE_PATH` [`<repo>/data/pool.db`]; a relative path is taken from the working directory. */
    path: string;
    /** `SQLITE_READERS` [the pool's default]: main-thread read connections. */
    readers: number | undefined;
    /**
     * `SQLITE_WORKERS` [2]: reader processes running `all`/`get` off the main thread, so a
     * search over the whole corpus (up to ~100 ms for a common word or a short prefix) never
     * blocks the event loop; primary-key lookups stay on the main thread (`db.read`).
     */
    workers: number;
    /**
     * `SQLITE_PER_REQUEST=1` [off]: the search app's reads open and close a connection per call,
     * as the original design did. For the benchmark's comparison only.
     */
    perRequest: boolean;
  };
  llm: {
    /** `OLLAMA_HOST`; `undefined` starts the built-in stand-in on a loopback port. */
    origin: string | undefined;
    /** `EMBED_MODEL` [nomic-embed-text]. */
    embedModel: string;
    /** `CHAT_MODEL` [llama3.2]. */
    chatModel: string;
    /** `LLM_CONNECTIONS` [4]: sockets to the LLM; Ollama queues silently past `OLLAMA_NUM_PARALLEL`. */
    connections: number;
    /** `LLM_HEADERS_TIMEOUT_MS` [600000]: a non-streamed generation sends no head until it is done. */
    headersTimeoutMs: number;
    /** `LLM_NUM_CTX` [32768]: one constant context size on every chat request (a change reloads the model). */
    numCtx: number;
    /** `LLM_KEEP_ALIVE` [30m]: how long Ollama keeps the model loaded after a request. */
    keepAlive: string;
  };
  /** The built-in stand-in, when `OLLAMA_HOST` is unset. */
  standin: {
    /**
     * `STANDIN_CHUNK_DELAY_MS` [0]: pause between two streamed answer chunks, so answers take
     * as long as a model's (the dashboard's test uses it to make requests queue).
     */
    chunkDelayMs: number;
  };
}

const DEFAULT_DATABASE_PATH = join(REPO_ROOT, "data", "pool.db");

/**
 * Reads the server's configuration from `env`, failing on the first bad value with a
 * {@link ConfigError} that names the variable, what it got and what it accepts.
 *
 * @param env usually `process.env`.
 * @example
 * ```ts
 * try {
 *   const config = loadConfig(process.env);
 * } catch (error) {
 *   if (error instanceof ConfigError) console.error(error.message); // "PORT: expected ..."
 * }
 * ```
 */
export function loadConfig(env: Record<string, string | undefined>): ServerConfig {
  const read = new EnvReader(env);
  const databasePath = read.string("DATABASE_PATH", DEFAULT_DATABASE_PATH);
  return {
    port: read.integer("PORT", 3000, 0, 65_535),
    host: read.string("HOST", "127.0.0.1"),
    idleTimeoutS: read.integer("IDLE_TIMEOUT_S", 30, 0, 255),
    maxBodyBytes: read.integer("MAX_BODY_BYTES", 1024 * 1024, 1, 1024 ** 3),
    shutdownTimeoutMs: read.integer("SHUTDOWN_TIMEOUT_MS", 10_000, 0, 600_000),
    sqlite: {
      path: isAbsolute(databasePath) ? databasePath : resolve(databasePath),
      readers: read.optionalInteger("SQLITE_READERS", 1, 64),
      workers: read.integer("SQLITE_WORKERS", 2, 0, 64),
      perRequest: read.flag("SQLITE_PER_REQUEST"),
    },
    llm: {
      origin: read.origin("OLLAMA_HOST"),
      embedModel: read.string("EMBED_MODEL", "nomic-embed-text"),
      chatModel: read.string("CHAT_MODEL", "llama3.2"),
      connections: read.integer("LLM_CONNECTIONS", 4, 1, 1024),
      headersTimeoutMs: read.integer("LLM_HEADERS_TIMEOUT_MS", 600_000, 1, 86_400_000),
      numCtx: read.integer("LLM_NUM_CTX", 32_768, 256, 1_048_576),
      keepAlive: read.keepAlive("LLM_KEEP_ALIVE", "30m"),
    },
    standin: { chunkDelayMs: read.integer("STANDIN_CHUNK_DELAY_MS", 0, 0, 600_000) },
  };
}

/** Parses one kind of value per method; an empty variable counts as unset. */
class EnvReader {
  constructor(private readonly env: Record<string, string | undefined>) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    return this.optionalInteger(name, min, max) ?? fallback;
  }

  optionalInteger(name: string, min: number, max: number): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    // Underscores allowed so that `LLM_HEADERS_TIMEOUT_MS=600_000` reads as it looks.
    const n = /^\d[\d_]*$/.test(value) ? Number(value.replaceAll("_", "")) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new ConfigError(name, value, `an integer from ${min} to ${max}`);
    }
    return n;
  }

  flag(name: string): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined || value === "0" || value === "false") return false;
    if (value === "1" || value === "true") return true;
    throw new ConfigError(name, value, "1, true, 0 or false");
  }

  origin(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    // Ollama's own CLI accepts a bare `host:port`; so do we, as http.
    const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `http://${value}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new ConfigError(name, value, "a URL like http://127.0.0.1:11434");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ConfigError(name, value, "an http:// or https:// URL");
    }
    if (url.pathname !== "/" || url.search !== "" || url.hash !== "") {
      throw new ConfigError(name, value, "an origin without a path, like http://127.0.0.1:11434");
    }
    // Ollama's default port when none is given, as its CLI does.
    const authority = withScheme.slice(withScheme.indexOf("//") + 2).split("/")[0] ?? "";
    if (url.protocol === "http:" && !/:\d+$/.test(authority)) url.port = "11434";
    return url.origin;
  }

  keepAlive(name: string, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    // Ollama takes a Go duration ("30m", "1h30m", "-1" = forever) or a number of seconds.
    if (/^-1$|^\d+$|^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) return value;
    throw new ConfigError(name, value, 'a duration like "30m", "1h", seconds, or -1 (forever)');
  }
}

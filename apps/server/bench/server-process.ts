import { join } from "node:path";

const MAIN = join(import.meta.dir, "..", "src", "main.ts");

/**
 * The combined server running in a process of its own, as `bun run start` runs it.
 *
 * @example
 * ```ts
 * const server = await startServerProcess({ DATABASE_PATH: "/tmp/b/pool.db" });
 * await fetch(`${server.url}/health`);
 * await server.stop();
 * ```
 */
export interface ServerProcess {
  url: string;
  /** SIGTERM, then waits for the exit (SIGKILL after 15 s). */
  stop(): Promise<number | null>;
}

/**
 * Starts `bun src/main.ts` on a free port with `env` added (and without `OLLAMA_HOST`, so it uses
 * its stand-in) and resolves once `/health` answers 200.
 *
 * @example
 * ```ts
 * const server = await startServerProcess({ SQLITE_WORKERS: "2", DATABASE_PATH: path });
 * ```
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const { OLLAMA_HOST: _unset, ...inherited } = process.env;
  const proc = Bun.spawn(["bun", MAIN], {
    env: { ...inherited, PORT: "0", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });
  const kill = setTimeout(() => proc.kill("SIGKILL"), 120_000);
  const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let url: string | undefined;
  while (url === undefined) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the server exited before listening:\n${text}`);
    text += value;
    url = text.match(/listening on (http:\/\/\S+)/)?.[1];
  }
  void (async () => {
    while (!(await reader.read()).done) {}
  })();
  while ((await fetch(`${url}/health`).then((r) => r.status)) !== 200) await Bun.sleep(100);
  clearTimeout(kill);
  return {
    url,
    async stop() {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
      const code = await proc.exited;
      clearTimeout(timer);
      return code;
    },
  };
}

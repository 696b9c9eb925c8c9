import { readFileSync } from "node:fs";
import { join } from "node:path";

/** One client's figures: requests/s and the JavaScript thread's CPU per request. */
export interface CpuRun {
  rps: number;
  userUs: number;
  systemUs: number;
}

/** A client under test: one GET, and how to shut it. */
export interface BenchClient {
  get(): Promise<Response>;
  close(): unknown;
}

/** The raw upstream (bench/server.ts) in its own process, and its origin. */
export async function startRawServer(): Promise<{
  port: number;
  origin: string;
  stop(): Promise<unknown>;
}> {
  const server = Bun.spawn([process.execPath, join(import.meta.dir, "server.ts")], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  const { value } = await server.stdout.getReader().read();
  const { port } = JSON.parse(new TextDecoder().decode(value)) as { port: number };
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    stop() {
      server.stdin.end();
      server.kill();
      return server.exited;
    },
  };
}

/** This thread's CPU time so far, in µs (clock ticks of 10 ms: measure many requests). Linux only. */
export function threadCpuUs(): { user: number; system: number } {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 };
}

/**
 * `requests` GETs at `concurrency` after 2,000 to warm up, each body read; closes the client.
 * CPU is this thread's only, so other processes on the shared cores do not count.
 */
export async function cpuRun(
  client: BenchClient,
  concurrency: number,
  requests: number,
): Promise<CpuRun> {
  const run = async (n: number) => {
    let next = 0;
    const worker = async () => {
      while (next++ < n) await (await client.get()).text();
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  await run(2_000);
  const before = threadCpuUs();
  const t0 = performance.now();
  await run(requests);
  const seconds = (performance.now() - t0) / 1000;
  const after = threadCpuUs();
  await client.close();
  return {
    rps: requests / seconds,
    userUs: (after.user - before.user) / requests,
    systemUs: (after.system - before.system) / requests,
  };
}

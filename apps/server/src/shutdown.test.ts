import { afterEach, describe, expect, it } from "bun:test";
import { installShutdown } from "./shutdown.ts";

const installed: Array<(signal: NodeJS.Signals) => void> = [];
afterEach(() => {
  for (const handler of installed.splice(0)) {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  }
});

function setUp(handler: (req: Request) => Response | Promise<Response>, timeoutMs: number) {
  const http = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
  const events: string[] = [];
  let exited!: (code: number) => void;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  const shutdown = installShutdown({
    http,
    timeoutMs,
    close: async () => {
      events.push("close");
    },
    log: (line) => events.push(line),
    exit: (code) => {
      events.push(`exit ${code}`);
      exited(code);
    },
  });
  installed.push(shutdown);
  return { http, shutdown, events, exit };
}

describe("installShutdown", () => {
  it("lets a request in flight finish, then closes and exits 0", async () => {
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const { http, shutdown, events, exit } = setUp(async () => {
      arrived();
      await gate;
      return new Response("done");
    }, 10_000);
    const response = fetch(`${http.url}slow`);
    await inFlight;
    shutdown("SIGTERM");
    await Bun.sleep(20);
    expect(events).not.toContain("close"); // still draining
    finish();
    expect(await (await response).text()).toBe("done");
    expect(await exit).toBe(0);
    expect(events.slice(-2)).toEqual(["closed cleanly", "exit 0"]);
    expect(events).toContain("close");
  });

  it("cuts requests still running after timeoutMs, then closes and exits 0", async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const { http, shutdown, events, exit } = setUp(async () => {
      arrived();
      return new Promise<Response>(() => {}); // never answers
    }, 50);
    const response = fetch(`${http.url}stuck`).then(
      () => "answered",
      () => "cut",
    );
    await inFlight;
    shutdown("SIGTERM");
    expect(await exit).toBe(0);
    expect(await response).toBe("cut");
    expect(events.some((line) => line.includes("still running"))).toBe(true);
    expect(events).toContain("close");
  });

  it("exits at once with 130 on a second SIGINT", async () => {
    const { http, shutdown, events } = setUp(() => new Promise<Response>(() => {}), 10_000);
    const stuck = fetch(`${http.url}stuck`).catch(() => undefined);
    await Bun.sleep(20);
    shutdown("SIGINT");
    shutdown("SIGINT");
    expect(events).toContain("exit 130");
    expect(events).not.toContain("close");
    await http.stop(true);
    await stuck;
  });
});

import { afterEach, describe, expect, it } from "bun:test";
import { gzipSync } from "node:zlib";
import { HttpPool, HttpTimeoutError } from "../src/index.ts";
import { okResponse, startRawServer } from "./helpers.ts";

type Raw = ReturnType<typeof startRawServer>;

/** `/whole` answers head and body at once; `/late` sends its head, and its body once the test
 * calls `releaseLate()`; `/partial` sends 7 of 100 bytes and stalls; `/trickle?n=N` sends N
 * chunked lines 25 ms apart. */
function server(): Raw & { releaseLate(): void } {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const late = new Set<Parameters<Parameters<typeof startRawServer>[0]>[0]>();
  const raw = startRawServer((socket, head) => {
    const path = head.split(" ")[1]!;
    if (path.startsWith("/trickle?n=")) {
      let left = Number(path.slice("/trickle?n=".length));
      socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
      const next = () => {
        if (socket.data.closed) return;
        socket.write(left-- > 0 ? "6\r\ntoken\n\r\n" : "0\r\n\r\n");
        if (left >= 0) {
          const t = setTimeout(() => {
            timers.delete(t);
            next();
          }, 25);
          timers.add(t);
        }
      };
      return next();
    }
    if (path === "/partial")
      return void socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial");
    if (path === "/late") {
      socket.write("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n");
      late.add(socket);
      return;
    }
    socket.write("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nwhole");
  });
  const stop = raw.stop;
  raw.stop = async () => {
    for (const t of timers) clearTimeout(t);
    await stop();
  };
  return Object.assign(raw, {
    releaseLate() {
      for (const socket of late) if (!socket.data.closed) socket.write("late body!");
      late.clear();
    },
  });
}

for (const transport of ["socket", "fetch"] as const) {
  describe(`when a response frees its connection (${transport} transport)`, () => {
    let raw: ReturnType<typeof server> | undefined;
    let http: HttpPool | undefined;
    afterEach(async () => {
      await http?.close({ timeoutMs: 200 });
      await raw?.stop();
      http = undefined;
      raw = undefined;
    });

    it("frees it at once when the body came with the head, read or not", async () => {
      raw = server();
      const pool = new HttpPool({ origin: raw.origin, connections: 1, transport });
      http = pool;
      const unread: Response[] = [];
      for (let i = 0; i < 3; i++) unread.push(await pool.fetch("/whole"));
      expect(await Promise.all(unread.map((r) => r.text()))).toEqual(["whole", "whole", "whole"]);
    });

    it("holds it for a body that came after the head until that body is in", async () => {
      raw = server();
      const pool = new HttpPool({ origin: raw.origin, connections: 1, transport });
      http = pool;
      const late = await pool.fetch("/late");
      let next = false;
      const following = pool.fetch("/whole").then((r) => {
        next = true;
        return r.text();
      });
      // Until the body is in, the one connection is taken (the fetch transport holds it until the
      // body is read, the socket one until it arrived), however long that takes.
      await Bun.sleep(50);
      expect(next).toBe(false);
      raw.releaseLate();
      expect(await late.text()).toBe("late body!");
      expect(await following).toBe("whole");
    });

    it("fails the later read of a body that timed out unread with HTTP_BODY_TIMEOUT", async () => {
      raw = server();
      const pool = new HttpPool({
        origin: raw.origin,
        connections: 1,
        transport,
        bodyTimeoutMs: 100,
      });
      http = pool;
      const res = await pool.fetch("/partial");
      await Bun.sleep(300);
      // The timeout freed the connection for others...
      expect(await (await pool.fetch("/whole")).text()).toBe("whole");
      // ...and the body says why it ended.
      const error = await res.text().catch((e) => e);
      expect(error).toBeInstanceOf(HttpTimeoutError);
      expect(error.code).toBe("HTTP_BODY_TIMEOUT");
    });

    it("frees it after bodyTimeoutMs when nobody reads a body the server keeps sending", async () => {
      raw = server();
      const pool = new HttpPool({
        origin: raw.origin,
        connections: 1,
        transport,
        bodyTimeoutMs: 200,
        acquireTimeoutMs: 5_000,
      });
      http = pool;
      // A forgotten stream (an LLM's tokens, server-sent events): bytes keep coming, unread.
      const forgotten = await pool.fetch("/trickle?n=100000");
      expect(await (await pool.fetch("/whole")).text()).toBe("whole");
      const error = await forgotten.text().catch((e) => e);
      expect(error).toBeInstanceOf(HttpTimeoutError);
      expect(error.code).toBe("HTTP_BODY_TIMEOUT");
    });

    it("does not time out a body its reader keeps taking, even slower than it arrives", async () => {
      raw = server();
      const pool = new HttpPool({
        origin: raw.origin,
        connections: 1,
        transport,
        bodyTimeoutMs: 400,
      });
      http = pool;
      // 40 lines over a second, read one per 50 ms: the reader lags, but never stops.
      const res = await pool.fetch("/trickle?n=40");
      let text = "";
      const decoder = new TextDecoder();
      for await (const chunk of res.body!) {
        text += decoder.decode(chunk, { stream: true });
        await Bun.sleep(50);
      }
      expect(text).toBe("token\n".repeat(40));
    });
  });
}

describe("a compressed body decoded after its socket went back to the pool", () => {
  let raw: Raw | undefined;
  let http: HttpPool | undefined;
  afterEach(async () => {
    await http?.close({ timeoutMs: 200 });
    await raw?.stop();
    http = undefined;
    raw = undefined;
  });

  it("does not pause that socket under the next request (regression)", async () => {
    // 4 MiB once decoded: far past what a body buffers ahead of its reader.
    const gzip = gzipSync(Buffer.alloc(4 * 1024 * 1024, "a"));
    raw = startRawServer((socket, head) => {
      if (!head.startsWith("GET /gzip ")) return void socket.write(okResponse("next"));
      // The head first, then the whole body at once: the body streams, and its raw bytes are
      // all in (the socket released) before the decoder has produced anything.
      socket.write(
        `HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: ${gzip.length}\r\n\r\n`,
      );
      setTimeout(() => socket.data.closed || socket.write(gzip), 5);
    });
    const pool = new HttpPool({ origin: raw.origin, connections: 1, headersTimeoutMs: 1_000 });
    http = pool;
    const unread = await pool.fetch("/gzip");
    // Let the decoder fill the unread body while the socket idles in the pool.
    await Bun.sleep(100);
    for (let i = 0; i < 3; i++) expect(await (await pool.fetch("/next")).text()).toBe("next");
    expect(raw.opened()).toBe(1);
    expect((await unread.text()).length).toBe(4 * 1024 * 1024);
  });
});

/**
 * A body cut short is an error, never a complete body: a close-delimited body ended by a reset
 * (RST) rather than a FIN (RFC 9112 §8), or by the pool closing; a compressed body whose coded
 * stream ends before its trailer, whatever its framing.
 */
import { afterEach, describe, expect, it } from "bun:test";
import net from "node:net";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { PoolClosedError } from "@pool/core";
import { HttpDecodeError, HttpPool, HttpSocketError } from "../src/index.ts";

/** A server that hands each request's socket to `respond`, keyed by the request path. */
async function startServer(
  respond: (socket: net.Socket, path: string) => void,
): Promise<{ origin: string; stop: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let head = "";
    socket.on("data", (data) => {
      head += data.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const path = head.slice(head.indexOf(" ") + 1, head.indexOf(" ", head.indexOf(" ") + 1));
      head = head.slice(end + 4);
      respond(socket, path);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const TEXT = "every part of this body matters ".repeat(64);
/** Decodes past 1 MiB, so even a body that came whole is decoded as it is read. */
const BIG = Buffer.alloc(3 * 1024 * 1024, 97);
const CODED: Record<string, [string, Buffer]> = {
  gzip: ["gzip", gzipSync(TEXT)],
  deflate: ["deflate", deflateSync(TEXT)],
  "raw-deflate": ["deflate", deflateRawSync(TEXT)],
  br: ["br", brotliCompressSync(TEXT)],
};

/** The coded stream without its last bytes: the gzip trailer, the zlib checksum, the end. */
function cut(bytes: Buffer): Buffer {
  return bytes.subarray(0, bytes.length - 6);
}

/**
 * `/<coding>/<framing>[/whole]`: that coding cut short, framed by `length`, `chunked` (head
 * first, body 20 ms later, so the body streams) or `close`; `/whole` sends it uncut.
 */
function compressedRoute(socket: net.Socket, path: string): void {
  if (path === "/empty") {
    return void socket.write(
      "HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: 0\r\n\r\n",
    );
  }
  if (path.startsWith("/big")) {
    const body = path === "/big/whole" ? gzipSync(BIG) : cut(gzipSync(BIG));
    socket.write(
      `HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    return void socket.write(body);
  }
  const [, name, framing, whole] = path.split("/");
  const [coding, full] = CODED[name!]!;
  const body = whole === "whole" ? full : cut(full);
  const head = `HTTP/1.1 200 OK\r\ncontent-encoding: ${coding}\r\n`;
  if (framing === "length") {
    socket.write(`${head}content-length: ${body.length}\r\n\r\n`);
    socket.write(body);
  } else if (framing === "chunked") {
    socket.write(`${head}transfer-encoding: chunked\r\n\r\n`);
    setTimeout(() => {
      socket.write(`${body.length.toString(16)}\r\n`);
      socket.write(body);
      socket.write("\r\n0\r\n\r\n");
    }, 20);
  } else {
    socket.write(`${head}connection: close\r\n\r\n`);
    socket.write(body);
    setTimeout(() => socket.end(), 20);
  }
}

describe("a close-delimited body (socket transport)", () => {
  let stop: (() => Promise<void>) | undefined;
  let http: HttpPool | undefined;
  afterEach(async () => {
    await http?.close({ timeoutMs: 200 });
    await stop?.();
    http = undefined;
    stop = undefined;
  });

  /** Two parts of a body without length, then `how` the server ends the connection. */
  async function serve(how: "fin" | "rst" | "never"): Promise<HttpPool> {
    const server = await startServer((socket) => {
      socket.write("HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\npart1");
      setTimeout(() => {
        socket.write("part2");
        // RST, not FIN: Bun reports it to the client as a close with an ECONNRESET error.
        if (how === "rst") setTimeout(() => socket.resetAndDestroy(), 20);
        else if (how === "fin") setTimeout(() => socket.end(), 20);
      }, 20);
    });
    stop = server.stop;
    http = new HttpPool({ origin: server.origin, connections: 1 });
    return http;
  }

  it("ends with the server's FIN, whole", async () => {
    const pool = await serve("fin");
    expect(await (await pool.fetch("/")).text()).toBe("part1part2");
  });

  it("fails its read with HTTP_SOCKET_CLOSED and responseStarted when a reset cuts it", async () => {
    const pool = await serve("rst");
    const res = await pool.fetch("/");
    expect(res.status).toBe(200);
    const error = await res.text().catch((e) => e);
    expect(error).toBeInstanceOf(HttpSocketError);
    expect(error.code).toBe("HTTP_SOCKET_CLOSED");
    expect(error.responseStarted).toBe(true);
    expect(error.cause?.code).toBe("ECONNRESET");
    expect(pool.stats().origins[originOf(pool)]!.connections!.closed.error).toBe(1);
  });

  it("fails its read with POOL_CLOSED when close() ends it, rather than hand out a part", async () => {
    const pool = await serve("never");
    const res = await pool.fetch("/");
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("part1");
    await pool.close({ timeoutMs: 0 });
    const error = await (async () => {
      for (;;) if ((await reader.read()).done) return undefined;
    })().catch((e) => e);
    expect(error).toBeInstanceOf(PoolClosedError);
    expect(error.code).toBe("POOL_CLOSED");
  });
});

describe("a close-delimited body cut by a reset (fetch transport)", () => {
  it("comes out whole, as Bun's fetch hands it out: the README says so", async () => {
    const server = await startServer((socket) => {
      socket.write("HTTP/1.0 200 OK\r\n\r\npart1");
      setTimeout(() => socket.resetAndDestroy(), 20);
    });
    const pool = new HttpPool({ origin: server.origin, transport: "fetch" });
    try {
      // If this starts failing, Bun's fetch sees resets now: update the README's note.
      expect(await (await pool.fetch("/")).text()).toBe("part1");
    } finally {
      await pool.close({ timeoutMs: 200 });
      await server.stop();
    }
  });
});

for (const transport of ["socket", "fetch"] as const) {
  describe(`a body shorter than its Content-Length (${transport} transport)`, () => {
    it("fails its read with HTTP_SOCKET_CLOSED, even when it all came with the head, and frees the slot", async () => {
      const server = await startServer((socket, path) => {
        if (path === "/ok")
          return void socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        // Head, part of the body and the FIN in one write: Bun knows the body is cut short
        // before anyone reads it.
        socket.end("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part");
      });
      const pool = new HttpPool({ origin: server.origin, connections: 1, transport });
      try {
        for (let i = 0; i < 3; i++) {
          const res = await pool.fetch("/cut");
          expect(res.status).toBe(200);
          const error = await res.text().catch((e) => e);
          expect(error).toBeInstanceOf(HttpSocketError);
          expect([error.code, error.responseStarted]).toEqual(["HTTP_SOCKET_CLOSED", true]);
        }
        // With one connection, a slot the cut bodies kept would leave this waiting.
        expect(await (await pool.fetch("/ok")).text()).toBe("ok");
      } finally {
        await pool.close({ timeoutMs: 200 });
        await server.stop();
      }
    });
  });

  describe(`a compressed body cut short (${transport} transport)`, () => {
    let stop: (() => Promise<void>) | undefined;
    let http: HttpPool | undefined;
    afterEach(async () => {
      await http?.close({ timeoutMs: 200 });
      await stop?.();
      http = undefined;
      stop = undefined;
    });

    async function pool(): Promise<HttpPool> {
      const server = await startServer(compressedRoute);
      stop = server.stop;
      http = new HttpPool({ origin: server.origin, connections: 1, transport });
      return http;
    }

    for (const name of Object.keys(CODED)) {
      for (const framing of ["length", "chunked", "close"]) {
        it(`fails ${name} framed by ${framing} with HTTP_DECODE_ERROR, and decodes it uncut`, async () => {
          const p = await pool();
          expect(await (await p.fetch(`/${name}/${framing}/whole`)).text()).toBe(TEXT);
          const res = await p.fetch(`/${name}/${framing}`);
          const error = await res.text().catch((e) => e);
          expect(error).toBeInstanceOf(HttpDecodeError);
          expect(error.code).toBe("HTTP_DECODE_ERROR");
        });
      }
    }

    it("fails a body that decodes past 1 MiB, cut short, with HTTP_DECODE_ERROR", async () => {
      const p = await pool();
      expect((await (await p.fetch("/big/whole")).bytes()).length).toBe(BIG.length);
      const error = await (await p.fetch("/big")).bytes().catch((e) => e);
      expect(error).toBeInstanceOf(HttpDecodeError);
      expect(error.code).toBe("HTTP_DECODE_ERROR");
    });

    it("hands out an empty body with a coding as empty, as fetch does", async () => {
      const p = await pool();
      expect(await (await p.fetch("/empty")).text()).toBe("");
    });
  });
}

function originOf(pool: HttpPool): string {
  return Object.keys(pool.stats().origins)[0]!;
}

import { join } from "node:path";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import type { Socket } from "bun";

/** A test upstream: where it listens and how to stop it. */
export interface TestServer {
  origin: string;
  /** Connections opened so far and open now, as the server counts them (undefined: cannot count). */
  connections?: () => Promise<{ opened: number; open: number }>;
  stop(): Promise<void>;
}

const NODE = Bun.which("node");

/**
 * The shared routes on node:http in a separate process (Node when installed, else Bun's
 * node:http). `idleTimeoutMs` and `closeEvery` configure its keep-alive behaviour.
 */
export async function startNodeServer(idleTimeoutMs = 0, closeEvery = 0): Promise<TestServer> {
  const script = join(import.meta.dir, "fixtures", "node-server.mjs");
  const proc = Bun.spawn(
    [NODE ?? process.execPath, script, String(idleTimeoutMs), String(closeEvery)],
    {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "inherit",
    },
  );
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("node server exited before listening");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const { port, control } = JSON.parse(text) as { port: number; control: number };
  // One session for the server's life, closed with it (a session per question was never closed).
  const session = new Bun.FetchSession({ keepAlive: false });
  return {
    origin: `http://127.0.0.1:${port}`,
    connections: async () =>
      (await (await session.fetch(`http://127.0.0.1:${control}/`)).json()) as {
        opened: number;
        open: number;
      },
    stop: async () => {
      session.close();
      proc.stdin.end();
      proc.kill();
      await proc.exited;
    },
  };
}

const COMPRESSED_TEXT = "hello compressed world ".repeat(20);

/** The shared routes on `Bun.serve`, in this process. */
export function startBunServer(): TestServer {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 30,
    async fetch(req) {
      const url = new URL(req.url);
      const p = url.pathname;
      if (p === "/echo") {
        const body = await req.text();
        const headers: Record<string, string> = {};
        req.headers.forEach((v, k) => {
          headers[k] = v;
        });
        return Response.json({ method: req.method, body, headers, url: p + url.search });
      }
      if (p === "/chunked") {
        return new Response(
          new ReadableStream({
            start(c) {
              for (let i = 0; i < 5; i++) c.enqueue(new TextEncoder().encode(`part${i};`));
              c.close();
            },
          }),
          { headers: { "content-type": "text/plain" } },
        );
      }
      if (p === "/ndjson") {
        return new Response(
          new ReadableStream({
            async start(c) {
              for (let i = 0; i < 3; i++) {
                c.enqueue(new TextEncoder().encode(`${JSON.stringify({ i })}\n`));
                await Bun.sleep(30);
              }
              c.close();
            },
          }),
          { headers: { "content-type": "application/x-ndjson" } },
        );
      }
      if (p === "/gzip") return compressed("gzip", gzipSync(COMPRESSED_TEXT));
      if (p === "/deflate") return compressed("deflate", deflateSync(COMPRESSED_TEXT));
      if (p === "/br") return compressed("br", brotliCompressSync(COMPRESSED_TEXT));
      if (p.startsWith("/redirect/")) {
        const status = Number(p.split("/")[2]);
        return new Response(null, {
          status,
          headers: { location: url.searchParams.get("to") ?? "/echo" },
        });
      }
      if (p.startsWith("/status/")) {
        const status = Number(p.split("/")[2]);
        if (status === 204 || status === 304) return new Response(null, { status });
        return new Response(`status ${status}`, { status, headers: { "retry-after": "0" } });
      }
      if (p === "/big") return new Response(Buffer.alloc(1024 * 1024, 97));
      if (p === "/slow") {
        await Bun.sleep(Number(url.searchParams.get("ms") ?? 100));
        return new Response("slow");
      }
      return new Response("not found", { status: 404 });
    },
  });
  return { origin: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

function compressed(encoding: string, bytes: Uint8Array): Response {
  return new Response(bytes, {
    headers: { "content-encoding": encoding, "content-type": "text/plain" },
  });
}

export const EXPECTED_DECOMPRESSED = COMPRESSED_TEXT;

/** Per-connection state of a raw server. */
export interface RawConnection {
  id: number;
  /** Requests seen on this connection (counted by their blank line). */
  requests: number;
  buffered: string;
  closed: boolean;
}

/**
 * A raw TCP server for responses no real server would send. `onRequest` gets each complete
 * request head (and the text after it that arrived with it) and writes whatever it likes.
 */
export function startRawServer(
  onRequest: (socket: Socket<RawConnection>, head: string, conn: RawConnection) => void,
): TestServer & { sockets: Set<Socket<RawConnection>>; opened: () => number; open: () => number } {
  let nextId = 0;
  let opened = 0;
  const sockets = new Set<Socket<RawConnection>>();
  const server = Bun.listen<RawConnection>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        opened++;
        socket.data = { id: nextId++, requests: 0, buffered: "", closed: false };
        sockets.add(socket);
      },
      data(socket, data) {
        const conn = socket.data;
        conn.buffered += data.toString("latin1");
        for (;;) {
          const end = conn.buffered.indexOf("\r\n\r\n");
          if (end < 0) return;
          const head = conn.buffered.slice(0, end);
          const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (conn.buffered.length < end + 4 + length) return;
          conn.buffered = conn.buffered.slice(end + 4 + length);
          conn.requests++;
          onRequest(socket, head, conn);
        }
      },
      close(socket) {
        socket.data.closed = true;
        sockets.delete(socket);
      },
      error() {},
    },
  });
  return {
    origin: `http://127.0.0.1:${server.port}`,
    sockets,
    opened: () => opened,
    open: () => sockets.size,
    stop: async () => {
      for (const s of sockets) s.terminate();
      server.stop(true);
    },
  };
}

/** A well-formed keep-alive response with a text body. */
export function okResponse(body = "ok", extra = ""): string {
  return `HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
}

/** Reads a body stream chunk by chunk, as text. */
export async function chunksOf(body: ReadableStream<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of body) out.push(decoder.decode(chunk, { stream: true }));
  return out;
}

/** Resolves once `predicate` holds, polling every few ms, or throws after `timeoutMs`. */
export async function eventually(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 3_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await predicate())) {
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(5);
  }
}

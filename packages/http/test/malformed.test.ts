import { afterEach, describe, expect, it } from "bun:test";
import { HttpParseError, HttpPool, HttpSocketError } from "../src/index.ts";
import { okResponse, startRawServer } from "./helpers.ts";

type Raw = ReturnType<typeof startRawServer>;

/** A server answering `/bad` with `bad` and anything else with a good response. */
function serverWith(
  bad: string | ((socket: Parameters<Parameters<typeof startRawServer>[0]>[0]) => void),
): Raw {
  return startRawServer((socket, head) => {
    if (!head.startsWith("GET /bad")) return void socket.write(okResponse("fine"));
    if (typeof bad === "string") socket.write(bad);
    else bad(socket);
  });
}

describe("malformed responses", () => {
  let server: Raw | undefined;
  let http: HttpPool | undefined;
  afterEach(async () => {
    await http?.close({ timeoutMs: 500 });
    await server?.stop();
    http = undefined;
    server = undefined;
  });

  const cases: Array<
    [
      string,
      string | ((socket: Parameters<Parameters<typeof startRawServer>[0]>[0]) => void),
      string,
    ]
  > = [
    ["a bad status line", "HTTP/1.1 2OO OK\r\ncontent-length: 0\r\n\r\n", "HTTP_PARSE_ERROR"],
    ["not HTTP at all", "SSH-2.0-OpenSSH\r\n\r\n", "HTTP_PARSE_ERROR"],
    [
      "a bad chunk size",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
      "HTTP_PARSE_ERROR",
    ],
    [
      "chunk data without CRLF",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
      "HTTP_PARSE_ERROR",
    ],
    [
      "oversized headers",
      `HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(20_000)}\r\ncontent-length: 0\r\n\r\n`,
      "HTTP_PARSE_ERROR",
    ],
    [
      "too many header fields",
      `HTTP/1.1 200 OK\r\n${Array.from({ length: 150 }, (_, i) => `x-h${i}: v\r\n`).join("")}content-length: 0\r\n\r\n`,
      "HTTP_PARSE_ERROR",
    ],
    [
      "conflicting Content-Length",
      "HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\nabcd",
      "HTTP_PARSE_ERROR",
    ],
    [
      "a header line without a colon",
      "HTTP/1.1 200 OK\r\nbroken header\r\ncontent-length: 0\r\n\r\n",
      "HTTP_PARSE_ERROR",
    ],
    [
      "a CR that no LF follows",
      "HTTP/1.1 200 OK\r\ncontent-length: 0\n\rx: 1\r\n\r\n",
      "HTTP_PARSE_ERROR",
    ],
    [
      "obsolete line folding",
      "HTTP/1.1 200 OK\r\nx-a: 1\r\n  folded\r\ncontent-length: 0\r\n\r\n",
      "HTTP_PARSE_ERROR",
    ],
    [
      "an early close mid-body",
      (socket) => {
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part");
        setTimeout(() => socket.end(), 20);
      },
      "HTTP_SOCKET_CLOSED",
    ],
    [
      "an early close mid-chunk",
      (socket) => {
        socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n10\r\nonly");
        setTimeout(() => socket.end(), 20);
      },
      "HTTP_SOCKET_CLOSED",
    ],
    [
      "a close in the middle of the head",
      (socket) => {
        socket.write("HTTP/1.1 200 OK\r\ncontent-le");
        setTimeout(() => socket.end(), 20);
      },
      "HTTP_SOCKET_CLOSED",
    ],
  ];

  for (const [what, bad, code] of cases) {
    it(`fails the request on ${what} with ${code}, discards the socket and keeps working`, async () => {
      server = serverWith(bad);
      const pool = new HttpPool({ origin: server.origin, connections: 1 });
      http = pool;
      // A warm socket first, so the bad response lands on a reused one (never retried after bytes).
      expect(await (await pool.fetch("/good")).text()).toBe("fine");
      const error = await pool
        .fetch("/bad")
        .then((res) => res.text())
        .catch((e) => e);
      if (code === "HTTP_PARSE_ERROR") expect(error).toBeInstanceOf(HttpParseError);
      else expect(error).toBeInstanceOf(HttpSocketError);
      expect(error.code).toBe(code);
      expect(error.origin).toBe(server.origin);
      for (let i = 0; i < 3; i++) expect(await (await pool.fetch("/good")).text()).toBe("fine");
      const stats = pool.stats().origins[server.origin]!.connections!;
      expect(stats.created).toBe(2);
      expect(stats.closed.error).toBe(1);
      expect(server.opened()).toBe(2);
    });
  }

  it("does not reuse a socket that sent more bytes than its response framed", async () => {
    server = serverWith("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA");
    const pool = new HttpPool({ origin: server.origin, connections: 1 });
    http = pool;
    expect(await (await pool.fetch("/bad")).text()).toBe("ok");
    expect(await (await pool.fetch("/good")).text()).toBe("fine");
    expect(pool.stats().origins[server.origin]!.connections!.created).toBe(2);
  });

  it("reads a body delimited by the connection closing, then opens a new socket", async () => {
    server = serverWith((socket) => {
      socket.write("HTTP/1.1 200 OK\r\n\r\nuntil close");
      setTimeout(() => socket.end(), 10);
    });
    const pool = new HttpPool({ origin: server.origin, connections: 1 });
    http = pool;
    expect(await (await pool.fetch("/bad")).text()).toBe("until close");
    expect(await (await pool.fetch("/good")).text()).toBe("fine");
    expect(pool.stats().origins[server.origin]!.connections!.closed.connectionClose).toBe(1);
  });

  it("skips interim 1xx responses", async () => {
    server = serverWith(`HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n${okResponse("final")}`);
    const pool = new HttpPool({ origin: server.origin, connections: 1 });
    http = pool;
    const res = await pool.fetch("/bad");
    expect([res.status, await res.text()]).toEqual([200, "final"]);
  });

  it("fails a corrupt gzip body with HTTP_DECODE_ERROR when it is read", async () => {
    server = serverWith(
      "HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: 8\r\n\r\nnotgzip!",
    );
    const pool = new HttpPool({ origin: server.origin, connections: 1 });
    http = pool;
    const res = await pool.fetch("/bad");
    const error = await res.text().catch((e) => e);
    expect(error.code).toBe("HTTP_DECODE_ERROR");
  });
});

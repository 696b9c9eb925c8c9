/**
 * Line ends in a response head: a lone LF is accepted wherever a CRLF may stand (RFC 9112 §2.2),
 * by both transports, and however the head is split across TCP packets. Chunk framing lines
 * keep their CRLF, as Bun's fetch requires.
 */
import { afterEach, describe, expect, it } from "bun:test";
import { HttpParseError, HttpPool } from "../src/index.ts";
import { okResponse, startRawServer } from "./helpers.ts";

type Raw = ReturnType<typeof startRawServer>;

const VARIANTS: Record<string, string> = {
  "all-lf": "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
  "crlf-then-lf": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\nok",
  "lf-after-status": "HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\nok",
  "lf-before-final-crlf": "HTTP/1.1 200 OK\r\nContent-Length: 2\n\r\nok",
};

const CHUNKED: Record<string, string> = {
  "lf-in-trailers":
    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nx-t: 1\n\n",
  "lf-after-chunk-size": "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\nok\r\n0\r\n\r\n",
  "lf-after-chunk-data": "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\n0\r\n\r\n",
};

/**
 * `/v/<variant>` answers with that variant; `/split/<variant>/<cut>` writes it in two pieces cut
 * at byte `<cut>`, the second a few ms later so the client reads them apart.
 */
function serve(): Raw {
  return startRawServer((socket, head) => {
    const path = head.slice(4, head.indexOf(" ", 4)).split("/");
    const wire = VARIANTS[path[2]!] ?? CHUNKED[path[2]!];
    if (wire === undefined) return void socket.write(okResponse("fine"));
    if (path[1] === "v") return void socket.write(wire);
    const cut = Number(path[3]);
    socket.write(wire.slice(0, cut));
    setTimeout(() => socket.write(wire.slice(cut)), 3);
  });
}

describe("response heads with lone LF line ends", () => {
  let server: Raw | undefined;
  let http: HttpPool | undefined;
  afterEach(async () => {
    await http?.close({ timeoutMs: 200 });
    await server?.stop();
    http = undefined;
    server = undefined;
  });

  for (const transport of ["socket", "fetch"] as const) {
    it(`are read by the ${transport} transport in each of the four variants`, async () => {
      server = serve();
      // headersTimeoutMs is far away: a head left waiting would fail the test by its timeout.
      const pool = new HttpPool({ origin: server.origin, connections: 1, transport });
      http = pool;
      for (const variant of Object.keys(VARIANTS)) {
        const res = await pool.fetch(`/v/${variant}`);
        expect([variant, res.status, await res.text()]).toEqual([variant, 200, "ok"]);
      }
      expect(await (await pool.fetch("/good")).text()).toBe("fine");
      if (transport === "socket") {
        // Each of them left the socket reusable: they were parsed, not tolerated.
        expect(pool.stats().origins[server.origin]!.connections!.created).toBe(1);
      }
    });

    it(`accept a lone LF in chunked trailers and refuse one on chunk lines (${transport} transport)`, async () => {
      server = serve();
      const pool = new HttpPool({ origin: server.origin, connections: 1, transport });
      http = pool;
      expect(await (await pool.fetch("/v/lf-in-trailers")).text()).toBe("ok");
      for (const variant of ["lf-after-chunk-size", "lf-after-chunk-data"]) {
        const error = await pool
          .fetch(`/v/${variant}`)
          .then((res) => res.text())
          .catch((e) => e);
        expect(error).toBeInstanceOf(HttpParseError);
        expect([variant, error.code]).toEqual([variant, "HTTP_PARSE_ERROR"]);
      }
      expect(await (await pool.fetch("/good")).text()).toBe("fine");
    });
  }

  it("are read when the head arrives split at any byte (socket transport)", async () => {
    server = serve();
    const pool = new HttpPool({ origin: server.origin, connections: 1 });
    http = pool;
    for (const [variant, wire] of Object.entries({ ...VARIANTS, ...CHUNKED })) {
      if (variant.includes("chunk-")) continue;
      for (let cut = 1; cut < wire.length; cut++) {
        const res = await pool.fetch(`/split/${variant}/${cut}`);
        expect([variant, cut, await res.text()]).toEqual([variant, cut, "ok"]);
      }
    }
    expect(pool.stats().origins[server.origin]!.connections!.created).toBe(1);
  });
});

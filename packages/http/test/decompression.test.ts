/**
 * Compressed bodies that expand far beyond their size on the wire ("decompression bombs") are
 * decoded as they are read, never ahead of the reader, as fetch does.
 */
import { afterEach, describe, expect, it } from "bun:test";
import { gzipSync } from "node:zlib";
import { HttpPool } from "../src/index.ts";
import { okResponse, startRawServer } from "./helpers.ts";

type Raw = ReturnType<typeof startRawServer>;

const MiB = 1024 * 1024;

/** 211 bytes of brotli that decode to 256 MiB of zeros (quality 11, a 16 MiB window). */
const BROTLI_BOMB = Buffer.from(
  "z///f/gnAOKxQCD3/p/////wTwDEYQGA7v0/////4Z8AiMMiAN37f/7//8M/ARCHBQC69//8//+HfwIgDgsAdO//+f//D/8EQBwWAOje//P//x/+CYA4LADQvf/n//8//BMAcVgAoHv/z///f/gnAOKwAED3/p/////wTwDEYQGA7v0/////4Z8AiMMCAN37f/7//8M/ARCHBQC69//8//+HfwIgDgsAdO//+f//D/8EQBwWAOje//P//x/+CYA4LADQvf/P//9//BMAcVgAoHv/Dw==",
  "base64",
);

/** Serves `/bomb` with `body` as `coding`, anything else with "fine". */
function serve(coding: string, body: Uint8Array): Raw {
  return startRawServer((socket, head) => {
    if (!head.startsWith("GET /bomb ")) return void socket.write(okResponse("fine"));
    const start = `HTTP/1.1 200 OK\r\ncontent-encoding: ${coding}\r\ncontent-length: ${body.length}\r\n\r\n`;
    socket.write(Buffer.concat([Buffer.from(start), body]));
  });
}

describe("decompression bombs (socket transport)", () => {
  let server: Raw | undefined;
  let http: HttpPool | undefined;
  afterEach(async () => {
    await http?.close({ timeoutMs: 200 });
    await server?.stop();
    http = undefined;
    server = undefined;
  });

  it("decodes a small body that expands to 256 MiB as it is read, not before fetch resolves", async () => {
    server = serve("br", BROTLI_BOMB);
    const pool = new HttpPool({ origin: server.origin, connections: 1 });
    http = pool;
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    const res = await pool.fetch("/bomb");
    const reader = res.body!.getReader();
    expect((await reader.read()).value!.length).toBeGreaterThan(0);
    // Decoded at once, the body alone would take 256 MiB (and more while zlib grows it).
    expect(process.memoryUsage().rss - before).toBeLessThan(128 * MiB);
    await reader.cancel();
    expect(await (await pool.fetch("/ok")).text()).toBe("fine");

    // Read to its end, it is all there.
    let total = 0;
    for await (const chunk of (await pool.fetch("/bomb")).body!) total += chunk.length;
    expect(total).toBe(256 * MiB);
  });

  it("does not decode a streamed body ahead of a reader that does not read", async () => {
    // 32 gzip members of 16 MiB of zeros each: 512 KiB on the wire, 512 MiB decoded.
    const member = gzipSync(Buffer.alloc(16 * MiB));
    server = serve("gzip", Buffer.concat(Array.from({ length: 32 }, () => member)));
    const pool = new HttpPool({ origin: server.origin, connections: 1 });
    http = pool;
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    const res = await pool.fetch("/bomb");
    // Long enough for a decoder that ignores its reader to inflate hundreds of MiB.
    await Bun.sleep(500);
    const grown = process.memoryUsage().rss - before;
    expect(grown).toBeLessThan(128 * MiB);
    const reader = res.body!.getReader();
    expect((await reader.read()).value!.length).toBeGreaterThan(0);
    await reader.cancel();
    expect(await (await pool.fetch("/ok")).text()).toBe("fine");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpConnectError, HttpPool } from "../src/index.ts";

/** A self-signed certificate for 127.0.0.1 and localhost, made by openssl for this run. */
function selfSigned(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), "pool-http-tls-"));
  try {
    const result = Bun.spawnSync([
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ]);
    if (result.exitCode !== 0) throw new Error(`openssl failed: ${result.stderr.toString()}`);
    return {
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
      key: readFileSync(join(dir, "key.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("https origins", () => {
  let server: ReturnType<typeof Bun.serve>;
  let cert: string;
  let origin: string;
  beforeAll(() => {
    const pair = selfSigned();
    cert = pair.cert;
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: pair,
      fetch: async (req) =>
        Response.json({ secure: new URL(req.url).protocol, body: await req.text() }),
    });
    origin = `https://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.stop(true));

  for (const transport of ["socket", "fetch"] as const) {
    it(`talks to a self-signed server trusted through tls.ca (${transport})`, async () => {
      const http = new HttpPool({ origin, transport, connections: 2, tls: { ca: cert } });
      try {
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            http
              .fetch("/x", { method: "POST", body: `n${i}` })
              .then((r) => r.json() as Promise<{ body: string }>),
          ),
        );
        expect(results.map((r) => r.body)).toEqual(["n0", "n1", "n2", "n3", "n4", "n5"]);
        if (transport === "socket")
          expect(http.stats().origins[origin]!.connections!.created).toBe(2);
      } finally {
        await http.close();
      }
    });

    it(`refuses the same server without the CA, with HTTP_CONNECT_FAILED (${transport})`, async () => {
      const http = new HttpPool({ origin, transport });
      try {
        const error = await http.fetch("/x").catch((e) => e);
        expect(error).toBeInstanceOf(HttpConnectError);
        expect(error.code).toBe("HTTP_CONNECT_FAILED");
      } finally {
        await http.close();
      }
    });

    it(`accepts it with rejectUnauthorized: false (${transport})`, async () => {
      const http = new HttpPool({ origin, transport, tls: { rejectUnauthorized: false } });
      try {
        expect(((await (await http.fetch("/x")).json()) as { secure: string }).secure).toBe(
          "https:",
        );
      } finally {
        await http.close();
      }
    });
  }

  it("checks the certificate against tls.serverName (socket)", async () => {
    const http = new HttpPool({ origin, tls: { ca: cert, serverName: "wrong.example" } });
    try {
      const error = await http.fetch("/x").catch((e) => e);
      expect(error).toBeInstanceOf(HttpConnectError);
      const ok = new HttpPool({ origin, tls: { ca: cert, serverName: "localhost" } });
      try {
        expect((await ok.fetch("/x")).status).toBe(200);
      } finally {
        await ok.close();
      }
    } finally {
      await http.close();
    }
  });
});

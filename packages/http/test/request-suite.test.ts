/**
 * The request-level suite both transports must pass, against Bun.serve (in process) and a
 * node:http server (its own process).
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { PoolError } from "@pool/core";
import {
  HttpInvalidHeaderError,
  HttpInvalidRequestError,
  HttpOriginMismatchError,
  HttpPool,
  HttpRedirectError,
} from "../src/index.ts";
import {
  chunksOf,
  EXPECTED_DECOMPRESSED,
  startBunServer,
  startNodeServer,
  type TestServer,
} from "./helpers.ts";

const servers: Array<[string, () => TestServer | Promise<TestServer>]> = [
  ["Bun.serve", startBunServer],
  ["node:http", () => startNodeServer()],
];

for (const transport of ["socket", "fetch"] as const) {
  for (const [serverName, start] of servers) {
    describe(`HttpPool.fetch (${transport} transport, ${serverName})`, () => {
      let server: TestServer;
      let http: HttpPool;
      beforeAll(async () => {
        server = await start();
        http = new HttpPool({ origin: server.origin, connections: 4, transport });
      });
      afterAll(async () => {
        await http.close({ timeoutMs: 1_000 });
        await server.stop();
      });

      const echo = async (res: Response) =>
        (await res.json()) as {
          method: string;
          body: string;
          headers: Record<string, string>;
          url: string;
        };

      it("sends each method and gets the echo back", async () => {
        for (const method of ["GET", "DELETE", "OPTIONS", "POST", "PUT", "PATCH"]) {
          const res = await http.fetch("/echo", { method });
          expect(res.status).toBe(200);
          expect((await echo(res)).method).toBe(method);
        }
      });

      it("lowercase method names are normalized as fetch does", async () => {
        const res = await http.fetch("/echo", { method: "post", body: "x" });
        expect((await echo(res)).method).toBe("POST");
      });

      it("sends string, bytes, URLSearchParams, Blob and FormData bodies", async () => {
        const cases: Array<
          [ConstructorParameters<typeof Response>[0], (e: Awaited<ReturnType<typeof echo>>) => void]
        > = [
          ["plain text ✓", (e) => expect(e.body).toBe("plain text ✓")],
          [new TextEncoder().encode("bytes"), (e) => expect(e.body).toBe("bytes")],
          [
            new URLSearchParams({ a: "1", b: "two" }),
            (e) => {
              expect(e.body).toBe("a=1&b=two");
              expect(e.headers["content-type"]).toContain("application/x-www-form-urlencoded");
            },
          ],
          [
            new Blob(["blob body"], { type: "text/x-blob" }),
            (e) => {
              expect(e.body).toBe("blob body");
              expect(e.headers["content-type"]).toBe("text/x-blob");
            },
          ],
        ];
        for (const [body, check] of cases)
          check(await echo(await http.fetch("/echo", { method: "POST", body })));
        const form = new FormData();
        form.set("field", "value");
        const e = await echo(await http.fetch("/echo", { method: "POST", body: form }));
        expect(e.headers["content-type"]).toStartWith("multipart/form-data; boundary=");
        expect(e.body).toContain('name="field"');
        expect(e.body).toContain("value");
      });

      it("streams a ReadableStream request body", async () => {
        const parts = ["one,", "two,", "three"];
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            for (const p of parts) c.enqueue(new TextEncoder().encode(p));
            c.close();
          },
        });
        const e = await echo(
          await http.fetch("/echo", { method: "POST", body, duplex: "half" } as RequestInit),
        );
        expect(e.body).toBe("one,two,three");
      });

      it("sends custom headers and takes a Request or URL as input", async () => {
        const e1 = await echo(await http.fetch("/echo?q=1", { headers: { "x-custom": "yes" } }));
        expect(e1.headers["x-custom"]).toBe("yes");
        expect(e1.url).toBe("/echo?q=1");
        const e2 = await echo(
          await http.fetch(
            new Request(`${server.origin}/echo`, {
              method: "PUT",
              body: "req",
              headers: { "x-r": "1" },
            }),
          ),
        );
        expect([e2.method, e2.body, e2.headers["x-r"]]).toEqual(["PUT", "req", "1"]);
        const res = await http.fetch(new URL(`${server.origin}/echo`));
        expect(res.url).toBe(`${server.origin}/echo`);
        expect((await echo(res)).method).toBe("GET");
      });

      it("reads chunked responses whole", async () => {
        const res = await http.fetch("/chunked");
        expect(await res.text()).toBe("part0;part1;part2;part3;part4;");
      });

      it("streams an NDJSON response chunk by chunk", async () => {
        const res = await http.fetch("/ndjson");
        const chunks = await chunksOf(res.body!);
        expect(chunks.length).toBeGreaterThanOrEqual(2);
        const lines = chunks
          .join("")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l));
        expect(lines).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
      });

      it("decodes gzip, deflate and br bodies", async () => {
        for (const encoding of ["gzip", "deflate", "br"]) {
          const res = await http.fetch(`/${encoding}`);
          expect(await res.text()).toBe(EXPECTED_DECOMPRESSED);
        }
      });

      it("reads a 1 MiB body", async () => {
        const bytes = new Uint8Array(await (await http.fetch("/big")).arrayBuffer());
        expect(bytes.length).toBe(1024 * 1024);
        expect(bytes.every((b) => b === 97)).toBe(true);
      });

      it("gives HEAD, 204 and 304 no body and keeps the connection usable", async () => {
        const head = await http.fetch("/echo", { method: "HEAD" });
        expect(head.status).toBe(200);
        expect(await head.text()).toBe("");
        for (const status of [204, 304]) {
          const res = await http.fetch(`/status/${status}`);
          expect(res.status).toBe(status);
          expect(await res.text()).toBe("");
        }
        expect((await echo(await http.fetch("/echo"))).method).toBe("GET");
      });

      it("returns HTTP error statuses as responses", async () => {
        const res = await http.fetch("/status/503");
        expect([res.status, res.ok, await res.text()]).toEqual([503, false, "status 503"]);
      });

      it("follows 301, 302, 303, 307 and 308 as fetch does", async () => {
        for (const status of [301, 302, 303]) {
          const res = await http.fetch(`/redirect/${status}`, { method: "POST", body: "payload" });
          const e = await echo(res);
          expect([e.method, e.body]).toEqual(["GET", ""]);
          expect(res.redirected).toBe(true);
          expect(res.url).toBe(`${server.origin}/echo`);
        }
        for (const status of [307, 308]) {
          const e = await echo(
            await http.fetch(`/redirect/${status}`, { method: "POST", body: "payload" }),
          );
          expect([e.method, e.body]).toEqual(["POST", "payload"]);
        }
      });

      it("resolves relative and absolute Locations against the origin that served them", async () => {
        const rel = await http.fetch(
          `/redirect/302?to=${encodeURIComponent("../echo?from=relative")}`,
        );
        expect((await echo(rel)).url).toBe("/echo?from=relative");
        const abs = await http.fetch(
          `/redirect/302?to=${encodeURIComponent(`${server.origin}/echo?abs=1`)}`,
        );
        expect((await echo(abs)).url).toBe("/echo?abs=1");
      });

      it("returns the redirect itself with redirect: manual", async () => {
        const res = await http.fetch("/redirect/302", { redirect: "manual" });
        expect(res.status).toBe(302);
        expect(res.headers.get("location")).toBe("/echo");
      });

      it("rejects with HTTP_REDIRECT on redirect: error and on a loop", async () => {
        const e1 = await http.fetch("/redirect/302", { redirect: "error" }).catch((e) => e);
        expect(e1).toBeInstanceOf(HttpRedirectError);
        expect(e1.code).toBe("HTTP_REDIRECT");
        const strict = new HttpPool({ origin: server.origin, transport, maxRedirections: 1 });
        try {
          const e2 = await strict.fetch("/redirect/302?to=/redirect/302").catch((e) => e);
          expect(e2).toBeInstanceOf(HttpRedirectError);
          expect(e2.code).toBe("HTTP_REDIRECT");
        } finally {
          await strict.close();
        }
      });

      it("refuses a redirect outside the pool's origins with HTTP_ORIGIN_MISMATCH", async () => {
        const to = encodeURIComponent("http://127.0.0.2:9/elsewhere");
        const error = await http.fetch(`/redirect/302?to=${to}`).catch((e) => e);
        expect(error).toBeInstanceOf(HttpOriginMismatchError);
        expect(error).toBeInstanceOf(PoolError);
        expect(error.code).toBe("HTTP_ORIGIN_MISMATCH");
      });

      it("refuses a URL of another origin with HTTP_ORIGIN_MISMATCH", async () => {
        const error = await http.fetch("http://127.0.0.2:9/x").catch((e) => e);
        expect(error).toBeInstanceOf(HttpOriginMismatchError);
        expect(error.code).toBe("HTTP_ORIGIN_MISMATCH");
      });

      it("rejects header injection with HTTP_INVALID_HEADER before sending", async () => {
        for (const headers of [
          { "x-a": "1\r\nx-injected: 2" },
          { "x-a": "1\nx-b: 2" },
          [["bad name", "v"]],
          { "x-nul": "a\0b" },
        ] as RequestInit["headers"][]) {
          const error = await http.fetch("/echo", { headers }).catch((e) => e);
          expect(error).toBeInstanceOf(HttpInvalidHeaderError);
          expect(error.code).toBe("HTTP_INVALID_HEADER");
        }
      });

      it("rejects a body on GET and a forbidden method with HTTP_INVALID_REQUEST", async () => {
        for (const init of [
          { body: "x" },
          { method: "CONNECT" },
          { method: "bad method" },
        ] as RequestInit[]) {
          const error = await http.fetch("/echo", init).catch((e) => e);
          expect(error).toBeInstanceOf(HttpInvalidRequestError);
          expect(error.code).toBe("HTTP_INVALID_REQUEST");
        }
      });

      it("works detached and concurrently beyond its connection count", async () => {
        const f = http.fetch;
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) => f(`/echo?i=${i}`).then(echo)),
        );
        expect(results.map((r) => r.url)).toEqual(
          Array.from({ length: 40 }, (_, i) => `/echo?i=${i}`),
        );
      });

      it("counts requests in stats()", async () => {
        const before = http.stats().origins[server.origin]!;
        await Promise.all(Array.from({ length: 5 }, () => http.fetch("/echo").then(echo)));
        const s = http.stats().origins[server.origin]!;
        expect(s.requests.total - before.requests.total).toBe(5);
        expect(s.ttfb.count - before.ttfb.count).toBe(5);
        expect(s.requests.inFlight).toBe(0);
        expect(s.connections === undefined).toBe(transport === "fetch");
      });
    });
  }
}

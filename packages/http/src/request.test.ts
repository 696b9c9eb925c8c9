import { describe, expect, it } from "bun:test";
import { HttpInvalidRequestError } from "./errors.ts";
import { type PreparedRequest, prepareRequest } from "./request.ts";

const ORIGIN = "http://127.0.0.1:8080";
const known = (href: string) => (href.startsWith(ORIGIN) ? ORIGIN : undefined);

async function prepare(
  input: string | URL | Request,
  init?: RequestInit,
): Promise<PreparedRequest> {
  return prepareRequest(input, init, ORIGIN, known);
}

const INHERITED_NAMES = ["constructor", "toString", "valueOf", "hasOwnProperty"];

describe("prepareRequest init", () => {
  it("takes null as no init, as fetch does", async () => {
    const req = await prepareRequest("/x", null, ORIGIN, known);
    expect([req.method, req.target, req.body]).toEqual(["GET", "/x", null]);
  });

  it("refuses an init that is not an object with HTTP_INVALID_REQUEST, not a TypeError", async () => {
    for (const init of [5, "POST", true]) {
      const error = await Promise.resolve()
        .then(() => prepare("/", init as unknown as RequestInit))
        .catch((e) => e);
      expect(error).toBeInstanceOf(HttpInvalidRequestError);
      expect(error.code).toBe("HTTP_INVALID_REQUEST");
    }
  });

  it("ignores members fetch does not know, whatever their name", async () => {
    const inits: object[] = [
      ...INHERITED_NAMES.map((name) => ({ [name]: 5 })),
      JSON.parse('{"__proto__": {"method": "POST", "body": "x"}}'),
    ];
    for (const init of inits) {
      const req = await prepare("/", init as RequestInit);
      expect([req.method, req.body, req.redirect, req.headers.toPairs()]).toEqual([
        "GET",
        null,
        "follow",
        [],
      ]);
    }
  });

  it("sends a header record's own fields, named like Object's members or not, as fetch does", async () => {
    const record = JSON.parse('{"__proto__": "p", "constructor": "c", "toString": "t"}');
    const req = await prepare("/", { headers: record });
    expect(req.headers.toPairs()).toEqual([
      ["__proto__", "p"],
      ["constructor", "c"],
      ["toString", "t"],
    ]);
    // An inherited field is not one of the record's: fetch does not send it either.
    const inherited = await prepare("/", { headers: Object.create({ "x-inherited": "1" }) });
    expect(inherited.headers.toPairs()).toEqual([]);
  });
});

describe("prepareRequest", () => {
  it("keeps plain paths and normalizes the rest as the URL parser does", async () => {
    expect((await prepare("/api/tags?x=1")).target).toBe("/api/tags?x=1");
    expect((await prepare("/a/../b/./c")).target).toBe("/b/c");
    expect((await prepare("/with space")).target).toBe("/with%20space");
    expect((await prepare("/frag#x")).target).toBe("/frag");
  });

  it("takes the origin from absolute URLs, known or not", async () => {
    const known = await prepare(`${ORIGIN}/x`);
    expect([known.origin, known.target]).toEqual([ORIGIN, "/x"]);
    expect((await prepare(`${ORIGIN}?q`)).target).toBe("/?q");
    const other = await prepare("http://other.example:81/y?z");
    expect([other.origin, other.target]).toEqual(["http://other.example:81", "/y?z"]);
  });

  it("normalizes method case as fetch does and refuses forbidden methods", async () => {
    expect((await prepare("/", { method: "delete" })).method).toBe("DELETE");
    expect((await prepare("/", { method: "Custom" })).method).toBe("Custom");
    for (const method of ["CONNECT", "trace", "bad method"]) {
      const error = await Promise.resolve()
        .then(() => prepare("/", { method }))
        .catch((e) => e);
      expect(error).toBeInstanceOf(HttpInvalidRequestError);
    }
  });

  it("gives bodies fetch's Content-Type unless one is set", async () => {
    expect((await prepare("/", { method: "POST", body: "s" })).headers.get("content-type")).toBe(
      "text/plain;charset=UTF-8",
    );
    const json = await prepare("/", {
      method: "POST",
      body: "{}",
      headers: { "Content-Type": "application/json" },
    });
    expect(json.headers.get("content-type")).toBe("application/json");
    const blob = await prepare("/", { method: "POST", body: new Blob(["b"], { type: "x/y" }) });
    expect([
      blob.headers.get("content-type"),
      new TextDecoder().decode(blob.body as Uint8Array),
    ]).toEqual(["x/y", "b"]);
  });

  it("gives a body's Content-Type to its own request only, not to later ones without headers", async () => {
    const posted = await prepare("/", { method: "POST", body: "s" });
    const plain = await prepare("/");
    expect(posted.headers.get("content-type")).toBe("text/plain;charset=UTF-8");
    expect(plain.headers.get("content-type")).toBeUndefined();
    expect(plain.headers.names).toEqual([]);
  });

  it("reads a Request's method, headers and body", async () => {
    const req = await prepare(
      new Request(`${ORIGIN}/r`, { method: "PUT", body: "payload", headers: { "x-a": "1" } }),
    );
    expect([
      req.method,
      req.headers.get("x-a"),
      new TextDecoder().decode(req.body as Uint8Array),
    ]).toEqual(["PUT", "1", "payload"]);
  });

  it("fails with HTTP_INVALID_REQUEST when a Request's body cannot be read", async () => {
    const used = new Request(`${ORIGIN}/r`, { method: "POST", body: "once" });
    await used.text();
    const failing = new Request(`${ORIGIN}/r`, {
      method: "POST",
      body: new ReadableStream({
        pull() {
          throw new Error("disk gone");
        },
      }),
      duplex: "half",
    } as RequestInit);
    for (const request of [used, failing]) {
      const error = await prepare(request).catch((e) => e);
      expect(error).toBeInstanceOf(HttpInvalidRequestError);
      expect(error.code).toBe("HTTP_INVALID_REQUEST");
      expect(error.cause).toBeDefined();
    }
  });

  it("refuses bodies on GET and HEAD, credentials and non-http schemes", async () => {
    for (const [input, init] of [
      ["/", { body: "x" }],
      ["/", { method: "HEAD", body: "x" }],
      ["http://user:pw@127.0.0.1:8080/", undefined],
      ["ftp://127.0.0.1/", undefined],
      ["http://[bad", undefined],
    ] as Array<[string, RequestInit | undefined]>) {
      const error = await Promise.resolve()
        .then(() => prepare(input, init))
        .catch((e) => e);
      expect(error).toBeInstanceOf(HttpInvalidRequestError);
      expect(error.code).toBe("HTTP_INVALID_REQUEST");
    }
  });
});

import { describe, expect, it } from "bun:test";
import { HeadCache } from "./head-cache.ts";
import { RequestHeaders } from "./request-headers.ts";
import { serializeHead } from "./request-writer.ts";

const HOST = "127.0.0.1:8080";

describe("HeadCache", () => {
  it("builds a bare request's head once and hands out the same string after", () => {
    const heads = new HeadCache(HOST);
    const first = heads.of("GET", "/a", new RequestHeaders(), null);
    expect(first).toBe(serializeHead("GET", "/a", HOST, new RequestHeaders(), null));
    expect(heads.of("GET", "/a", new RequestHeaders(), null)).toBe(first);
  });

  it("keys on method and target", () => {
    const heads = new HeadCache(HOST);
    const get = heads.of("GET", "/a", new RequestHeaders(), null);
    const del = heads.of("DELETE", "/a", new RequestHeaders(), null);
    const post = heads.of("POST", "/a", new RequestHeaders(), null);
    expect(del.startsWith("DELETE /a HTTP/1.1\r\n")).toBe(true);
    expect(post).toContain("content-length: 0\r\n");
    expect(get).not.toContain("content-length");
    expect(heads.of("GET", "/b", new RequestHeaders(), null).startsWith("GET /b ")).toBe(true);
  });

  it("serializes requests with headers or a body afresh", () => {
    const heads = new HeadCache(HOST);
    heads.of("GET", "/a", new RequestHeaders(), null);
    const headers = RequestHeaders.from({ "x-id": "7" }, "o");
    expect(heads.of("GET", "/a", headers, null)).toContain("x-id: 7\r\n");
    const body = new Uint8Array(3);
    expect(heads.of("PUT", "/a", new RequestHeaders(), body)).toContain("content-length: 3\r\n");
    expect(heads.of("PUT", "/a", new RequestHeaders(), null)).toContain("content-length: 0\r\n");
  });

  it("starts over instead of growing without bound", () => {
    const heads = new HeadCache(HOST);
    for (let i = 0; i < 1_000; i++) heads.of("GET", `/item/${i}`, new RequestHeaders(), null);
    expect(heads.of("GET", "/item/999", new RequestHeaders(), null)).toBe(
      serializeHead("GET", "/item/999", HOST, new RequestHeaders(), null),
    );
    expect((heads as unknown as { gets: Map<string, string> }).gets.size).toBeLessThanOrEqual(256);
  });
});

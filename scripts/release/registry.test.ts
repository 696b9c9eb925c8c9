import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RecordingRegistry, startRecordingRegistry } from "../test/recording-registry.ts";
import { DEFAULT_REGISTRY, fetchPublishedVersions, resolveRegistry } from "./registry.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pool-registry-test-"));
  await Bun.write(join(dir, "with-registry"), "; comment\nregistry = http://127.0.0.1:9/npmrc\n");
  await Bun.write(join(dir, "without-registry"), "fund=false\n");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("resolveRegistry", () => {
  it("prefers BUN_CONFIG_REGISTRY, then npm_config_registry, then .npmrc, as bun does", async () => {
    const npmrcFiles = [join(dir, "without-registry"), join(dir, "with-registry")];
    const bun = "http://127.0.0.1:9/bun";
    const npm = "http://127.0.0.1:9/npm/";
    expect(
      await resolveRegistry({
        env: { BUN_CONFIG_REGISTRY: bun, npm_config_registry: npm },
        npmrcFiles,
      }),
    ).toBe(`${bun}/`);
    expect(await resolveRegistry({ env: { npm_config_registry: npm }, npmrcFiles })).toBe(npm);
    expect(await resolveRegistry({ env: { NPM_CONFIG_REGISTRY: npm }, npmrcFiles })).toBe(npm);
    expect(await resolveRegistry({ env: {}, npmrcFiles })).toBe("http://127.0.0.1:9/npmrc/");
  });

  it("falls back to npmjs.org when nothing names a registry", async () => {
    expect(await resolveRegistry({ env: {}, npmrcFiles: [join(dir, "missing")] })).toBe(
      DEFAULT_REGISTRY,
    );
  });
});

describe("fetchPublishedVersions", () => {
  let registry: RecordingRegistry;
  beforeAll(() => {
    registry = startRecordingRegistry({ published: { "@pool/core": ["0.1.0", "0.2.0"] } });
  });
  afterAll(() => registry[Symbol.asyncDispose]());

  it("lists the versions the registry has, asking for the scoped name as npm does", async () => {
    const { versions, unreachable } = await fetchPublishedVersions(registry.url, "@pool/core");
    expect([...versions].sort()).toEqual(["0.1.0", "0.2.0"]);
    expect(unreachable).toBeUndefined();
    expect(registry.requests.at(-1)).toEqual({ method: "GET", name: "@pool/core", versions: [] });
  });

  it("finds no version of a package the registry answers 404 for", async () => {
    const result = await fetchPublishedVersions(registry.url, "@pool/http");
    expect(result.versions.size).toBe(0);
    expect(result.unreachable).toBeUndefined();
  });

  it("counts every version as unpublished when the registry cannot be reached", async () => {
    // A port that was just free: nothing listens there.
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const url = `http://127.0.0.1:${closed.port}/`;
    await closed.stop(true);
    const result = await fetchPublishedVersions(url, "@pool/core", { timeoutMs: 5_000 });
    expect(result.versions.size).toBe(0);
    expect(result.unreachable).toContain(url);
  });
});

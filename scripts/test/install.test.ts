import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { cp, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../release/run-command.ts";
import { runRelease } from "../release/run-release.ts";
import { readTarball } from "../release/tarball.ts";
import { type RecordingRegistry, startRecordingRegistry } from "./recording-registry.ts";
import { cleanEnv, makeTempRepo, REPO_ROOT } from "./temp-repo.ts";

// The packed tarballs, installed from a stand-in registry into a fresh project outside the
// repository, as a user would install them from npm.

let work: string;
let project: string;
let registry: RecordingRegistry;
const versions = new Map<string, string>();

function run(cmd: string[], cwd = project) {
  const env = cleanEnv({ BUN_CONFIG_REGISTRY: registry?.url ?? "http://127.0.0.1:9/" });
  return runCommand(cmd, { cwd, env });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "pool-install-"));
  const packDir = join(work, "tarballs");
  await using repo = await makeTempRepo();
  await using empty = startRecordingRegistry(); // nothing published: every package is packed
  const report = await runRelease({
    root: repo.dir,
    dryRun: true,
    packDir,
    env: cleanEnv({ BUN_CONFIG_REGISTRY: empty.url }),
    log: () => {},
  });
  const serve = [];
  for (const packed of report.packed) {
    const { manifest } = await readTarball(packed.tarball);
    versions.set(packed.name, packed.version);
    serve.push({ manifest, bytes: new Uint8Array(await Bun.file(packed.tarball).arrayBuffer()) });
  }
  registry = startRecordingRegistry({ serve });
  project = join(work, "app");
  await mkdir(project);
  await Bun.write(
    join(project, "package.json"),
    JSON.stringify({ name: "install-check", private: true, type: "module" }),
  );
  await cp(join(import.meta.dir, "install-fixture"), project, { recursive: true });
}, 60_000);

afterAll(async () => {
  await registry?.[Symbol.asyncDispose]();
  await rm(work, { recursive: true, force: true });
});

describe("the packed packages, installed in a fresh project", () => {
  it("install from the registry with a single copy of @pool/core", async () => {
    const names = ["@pool/core", "@pool/sqlite", "@pool/http"];
    // A private cache: a cached tarball of the same version from an earlier run would hide this one.
    const add = await run([
      process.execPath,
      "add",
      "--cache-dir",
      join(work, "cache"),
      ...names.map((n) => `${n}@${versions.get(n)}`),
    ]);
    expect(add.stderr).not.toContain("error:");
    expect(add.exitCode).toBe(0);
    expect((await readdir(join(project, "node_modules", "@pool"))).sort()).toEqual([
      "core",
      "http",
      "sqlite",
    ]);
    for (const dependent of ["sqlite", "http"]) {
      const nested = join(project, "node_modules/@pool", dependent, "node_modules/@pool/core");
      expect(await Bun.file(join(nested, "package.json")).exists()).toBe(false);
    }
  });

  it("run @pool/core under Node from dist/", async () => {
    const node = await run(["node", "core-check.mjs"]);
    expect(node.stderr).toBe("");
    const seen = JSON.parse(node.stdout);
    expect(seen.resolved).toEndWith("/node_modules/@pool/core/dist/index.js");
    expect(seen).toMatchObject({ sum: 2, abortedCode: "POOL_ABORTED", isPoolError: true });
  });

  it("run @pool/core under Bun", async () => {
    const bun = await run([process.execPath, "core-check.mjs"]);
    expect(bun.exitCode).toBe(0);
    const seen = JSON.parse(bun.stdout);
    expect(seen.resolved).toContain("/node_modules/@pool/core/");
    expect(seen).toMatchObject({ sum: 2, abortedCode: "POOL_ABORTED", isPoolError: true });
  });

  it("run @pool/sqlite under Bun, reading on a Worker", async () => {
    const result = await run([process.execPath, "sqlite-check.ts", project]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ x: 42 });
  });

  it("run @pool/http under Bun against a server on 127.0.0.1", async () => {
    const result = await run([process.execPath, "http-check.ts"]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ status: 200, body: "pong" });
  });

  it("type-check a TypeScript file against the installed declarations with the repo's tsc", async () => {
    await Bun.write(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ESNext",
          lib: ["ESNext"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["bun"],
          typeRoots: [join(REPO_ROOT, "node_modules", "@types")],
        },
        files: ["types-check.ts"],
      }),
    );
    const tsc = join(REPO_ROOT, "node_modules", ".bin", "tsc");
    const result = await run([tsc, "-p", ".", "--listFiles"]);
    expect(result.stdout.split("\n").filter((l) => /error TS\d+/.test(l))).toEqual([]);
    expect(result.exitCode).toBe(0);
    // The Node-style resolution used the shipped declarations, not the TypeScript source.
    for (const pkg of ["core", "sqlite", "http"]) {
      expect(result.stdout).toContain(`node_modules/@pool/${pkg}/dist/index.d.ts`);
    }
    expect(result.stdout).not.toContain("node_modules/@pool/core/src/");
  });
});

/** One request the stand-in registry received. */
export interface RecordedRequest {
  method: string;
  /** The package name, decoded (`@pool/core`), or the raw path for anything else. */
  name: string;
  /** For an upload, the versions it carried. */
  versions: string[];
}

/** A packed tarball the stand-in serves for installs, as a real registry would. */
export interface ServedTarball {
  manifest: { name: string; version: string } & Record<string, unknown>;
  bytes: Uint8Array;
}

/** How the stand-in registry answers. */
export interface RecordingRegistryOptions {
  /** Versions it reports as published; uploads it accepts are added. Default: none (404). */
  published?: Record<string, string[]>;
  /** Package names whose upload it answers with HTTP 500. */
  failUploadsOf?: Iterable<string>;
  /** Tarballs it serves with full metadata, so `bun add <name>` installs from it. */
  serve?: ServedTarball[];
}

/** A local npm registry stand-in on 127.0.0.1 that records every request. */
export interface RecordingRegistry extends AsyncDisposable {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  requests: RecordedRequest[];
  /** The uploads (PUT) it received, accepted or not. */
  uploads(): RecordedRequest[];
  failUploadsOf: Set<string>;
}

/**
 * Starts a registry stand-in: package metadata from `published` (404 when unknown), uploads
 * accepted (201) unless listed in `failUploadsOf`. Every request is recorded, so a test can prove
 * that a dry run sent no upload.
 *
 * @example
 * await using registry = startRecordingRegistry();
 * // ... run a dry run with BUN_CONFIG_REGISTRY = registry.url ...
 * expect(registry.uploads()).toEqual([]);
 */
export function startRecordingRegistry(options: RecordingRegistryOptions = {}): RecordingRegistry {
  const published = new Map(
    Object.entries(options.published ?? {}).map(([name, versions]) => [name, new Set(versions)]),
  );
  const requests: RecordedRequest[] = [];
  const failUploadsOf = new Set(options.failUploadsOf ?? []);
  const served = new Map<string, ServedTarball[]>();
  for (const tarball of options.serve ?? []) {
    served.set(tarball.manifest.name, [...(served.get(tarball.manifest.name) ?? []), tarball]);
  }
  const tarballPath = (t: ServedTarball) =>
    `-/tarballs/${t.manifest.name}/${t.manifest.version}.tgz`;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request): Promise<Response> {
      const name = decodeURIComponent(new URL(request.url).pathname.slice(1));
      if (request.method === "PUT") {
        const body = (await request.json().catch(() => ({}))) as {
          versions?: Record<string, unknown>;
        };
        const versions = Object.keys(body.versions ?? {});
        requests.push({ method: "PUT", name, versions });
        if (failUploadsOf.has(name)) return Response.json({ error: "stand-in" }, { status: 500 });
        const known = published.get(name) ?? new Set<string>();
        for (const version of versions) known.add(version);
        published.set(name, known);
        return Response.json({ ok: true }, { status: 201 });
      }
      requests.push({ method: request.method, name, versions: [] });
      const tarball = [...served.values()].flat().find((t) => tarballPath(t) === name);
      if (tarball) return new Response(tarball.bytes);
      const serving = served.get(name);
      if (serving) {
        const base = new URL(request.url).origin;
        const versions = serving.map((t) => {
          const integrity = `sha512-${new Bun.CryptoHasher("sha512").update(t.bytes).digest("base64")}`;
          const dist = { tarball: `${base}/${tarballPath(t)}`, integrity };
          return [t.manifest.version, { ...t.manifest, dist }] as const;
        });
        return Response.json({
          name,
          "dist-tags": { latest: versions.at(-1)![0] },
          versions: Object.fromEntries(versions),
        });
      }
      const known = published.get(name);
      if (!known) return Response.json({ error: "Not found" }, { status: 404 });
      return Response.json({
        name,
        "dist-tags": { latest: [...known].at(-1) },
        versions: Object.fromEntries([...known].map((v) => [v, { name, version: v }])),
      });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/`,
    requests,
    failUploadsOf,
    uploads: () => requests.filter((r) => r.method === "PUT"),
    async [Symbol.asyncDispose]() {
      await server.stop(true);
    },
  };
}

import type { Manifest } from "./workspace-packages.ts";

/** The contents of a packed npm tarball, paths relative to its `package/` folder. */
export interface Tarball {
  files: Map<string, Uint8Array>;
  manifest: Manifest;
}

const BLOCK = 512;
const decoder = new TextDecoder();

function field(header: Uint8Array, offset: number, length: number): string {
  const bytes = header.subarray(offset, offset + length);
  const end = bytes.indexOf(0);
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/**
 * Lists a `.tgz` the way the registry will serve it: plain ustar with GNU (`L`) and pax (`x`)
 * long names, which is all `bun pm pack` and `npm pack` write. Read here rather than with
 * `tar` so the check runs the same on every machine.
 *
 * @example
 * const { manifest, files } = await readTarball("pool-core-0.1.0.tgz");
 * files.has("dist/index.js");
 */
export async function readTarball(path: string): Promise<Tarball> {
  const archive = Bun.gunzipSync(new Uint8Array(await Bun.file(path).arrayBuffer()));
  const files = new Map<string, Uint8Array>();
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= archive.length; ) {
    const header = archive.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = Number.parseInt(field(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156]!);
    const body = archive.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") {
      longName = decoder.decode(body).replace(/\0+$/, "");
      continue;
    }
    if (type === "x") {
      longName = decoder.decode(body).match(/^\d+ path=(.*)$/m)?.[1] ?? longName;
      continue;
    }
    const prefix = field(header, 345, 155);
    const name =
      longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    if (type !== "0" && type !== "\0") continue; // folders and links carry no content
    files.set(name.replace(/^[^/]+\//, ""), body.slice());
  }
  const manifestBytes = files.get("package.json");
  const manifest = manifestBytes ? JSON.parse(decoder.decode(manifestBytes)) : {};
  return { files, manifest };
}

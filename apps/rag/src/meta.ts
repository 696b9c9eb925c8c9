import type { SqlitePool, Transaction } from "@pool/sqlite";

/** What `rag_meta` says about the stored vectors. */
export interface RagMeta {
  /** The embedding model every stored vector of the active set comes from. */
  embedModel: string | undefined;
  /** Their length. */
  dimensions: number | undefined;
  /** The model `rag_vec` mirrors; `undefined` (or another model) when it must be rebuilt. */
  vec0Index: string | undefined;
}

type MetaKey = "embed_model" | "dimensions" | "vec0_index";

/**
 * Reads `rag_meta`.
 *
 * @example
 * ```ts
 * const meta = await readMeta(db);
 * if (meta.embedModel !== llm.embedModel) console.log("model changed: re-embedding");
 * ```
 */
export async function readMeta(db: SqlitePool): Promise<RagMeta> {
  const rows = await db.all<{ key: string; value: string }>("select key, value from rag_meta");
  const map = new Map(rows.map((row) => [row.key, row.value]));
  const dimensions = Number(map.get("dimensions"));
  const nonEmpty = (value: string | undefined) => (value === "" ? undefined : value);
  return {
    embedModel: nonEmpty(map.get("embed_model")),
    dimensions: Number.isInteger(dimensions) && dimensions > 0 ? dimensions : undefined,
    vec0Index: nonEmpty(map.get("vec0_index")),
  };
}

/**
 * Sets one `rag_meta` entry inside the caller's transaction, so it changes together with the
 * rows it describes.
 *
 * @example
 * ```ts
 * await db.transaction((tx) => setMeta(tx, "embed_model", "nomic-embed-text"));
 * ```
 */
export function setMeta(tx: Transaction, key: MetaKey, value: string): void {
  tx.run(
    "insert into rag_meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value",
    [key, value],
  );
}

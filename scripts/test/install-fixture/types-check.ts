// Type-checked (not run) against the installed declarations, as a Node/TypeScript user would.
import { Pool, PoolError } from "@pool/core";
import { HttpPool } from "@pool/http";
import { SqlitePool } from "@pool/sqlite";

const pool = new Pool<{ id: number }>({ create: async () => ({ id: 1 }), destroy: () => {} });
export const id: number = await pool.use(async (r) => r.id);
// @ts-expect-error the declarations carry the resource type: an id is not a string
export const wrong: string = await pool.use(async (r) => r.id);
export const isPoolError = (e: unknown): e is PoolError => e instanceof PoolError;

const db = new SqlitePool({ path: ":memory:" });
export const rows: { x: number }[] = await db.all<{ x: number }>("select 1 as x");

const http = new HttpPool({ origin: "http://127.0.0.1:1", connections: 1 });
export const response: Response = await http.fetch("/");

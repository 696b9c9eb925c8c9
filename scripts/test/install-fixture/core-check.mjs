// Runs under Node and under Bun against the installed @pool/core; prints what it saw as JSON.
import { Pool, PoolError } from "@pool/core";

let created = 0;
const pool = new Pool({ create: async () => ({ id: ++created }), destroy: async () => {}, max: 2 });
const sum = (await pool.use(async (r) => r.id)) + (await pool.use(async (r) => r.id));
const aborted = await pool.acquire({ signal: AbortSignal.abort() }).catch((error) => error);
await pool.close();
console.log(
  JSON.stringify({
    resolved: import.meta.resolve("@pool/core"),
    sum,
    abortedCode: aborted.code,
    isPoolError: aborted instanceof PoolError,
  }),
);

// Runs under Bun against the installed @pool/sqlite (and its @pool/core), reads on a Worker.
import { SqlitePool } from "@pool/sqlite";

const db = new SqlitePool({
  path: `${process.argv[2]}/check.db`,
  workers: 1,
  migrations: ["create table t(x integer not null)"],
});
await db.run("insert into t(x) values (?)", [41]);
const row = await db.get<{ x: number }>("select x + 1 as x from t");
await db.close();
console.log(JSON.stringify({ x: row?.x, resolved: import.meta.resolve("@pool/sqlite") }));

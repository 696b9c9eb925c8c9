/**
 * One writer process of the bench: `bun write-process.ts <path> <id> <count> <startAt>`.
 * Waits for the common start, runs `count` read-then-write transactions, prints its timing.
 */
import { SqlitePool } from "../src/index.ts";

const [path, id, count, startAt] = process.argv.slice(2);
const db = new SqlitePool({
  path: path as string,
  migrations: [
    "create table counter(id integer primary key, n integer not null); insert into counter values (1, 0)",
    "create table events(proc integer not null, seq integer not null, at integer not null)",
  ],
});
await db.ready;
await Bun.sleep(Math.max(0, Number(startAt) - Date.now()));
const start = Date.now();
let errors = 0;
for (let i = 0; i < Number(count); i++) {
  try {
    await db.transaction((tx) => {
      const { n } = tx.get<{ n: number }>("select n from counter where id = 1")!;
      tx.run("update counter set n = ? where id = 1", [n + 1]);
      tx.run("insert into events values (?, ?, ?)", [Number(id), i, n]);
    });
  } catch {
    errors++;
  }
}
const end = Date.now();
const { busyRetries } = db.stats();
await db.close();
console.log(JSON.stringify({ start, end, errors, busyRetries }));

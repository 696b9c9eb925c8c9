import type { Calls, ConnectionCallback, TransactionCallback } from "./calls.ts";
import type { RunResult, SqlParams } from "./connection.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { MainReaders } from "./main-readers.ts";
import { type MigrateContext, type Migration, migrate, namedLedger } from "./migrations.ts";
import type { OffThreadReaders } from "./off-thread-readers.ts";
import type { Writer } from "./writer.ts";

/**
 * Calls made outside any scope: on the writer's queue, the main-thread readers or the reader
 * processes. What may outlive the tick it started in is counted in flight, so `close()` can
 * wait for it.
 */
export class PoolCalls implements Calls {
  constructor(
    private readonly life: Lifecycle,
    private readonly writer: Writer,
    private readonly readers: MainReaders,
    private readonly workers: OffThreadReaders | undefined,
    private readonly migrateContext: MigrateContext,
  ) {}

  read<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    return this.readers.read(fn);
  }

  write<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    return this.life.track(this.writer.write(fn));
  }

  transaction<R>(fn: TransactionCallback<R>, timeoutMs: number): Promise<Awaited<R>> {
    return this.life.track(this.writer.transaction(fn, timeoutMs));
  }

  /** `all`/`get`: on a reader process with `workers`, else on a main-thread reader. */
  query(
    op: "all" | "get",
    sql: string,
    params: SqlParams | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    if (this.workers !== undefined) {
      return this.life.track(this.workers.query(op, sql, params, signal));
    }
    return this.readers.query(op, sql, params);
  }

  run(sql: string, params: SqlParams | undefined): Promise<RunResult> {
    return this.life.track(this.writer.run(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.life.track(this.writer.exec(sql));
  }

  migrate(name: string, migrations: readonly Migration[]): Promise<void> {
    return this.life.track(
      this.writer.pool.use((conn) =>
        migrate(conn, migrations, namedLedger(name), this.migrateContext),
      ),
    );
  }
}

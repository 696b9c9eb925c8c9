import type { Calls, ConnectionCallback, TransactionCallback } from "./calls.ts";
import type { RunResult, SqlParams } from "./connection.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { Migration } from "./migrations.ts";
import { abortedBeforeStart } from "./query-options.ts";

/**
 * Where calls go while the {@link Lifecycle} does not admit them: refused with `POOL_CLOSED`
 * once closing, else held until migrations are applied, then routed again (`route`).
 */
export class GatedCalls implements Calls {
  constructor(
    private readonly name: string,
    private readonly life: Lifecycle,
    private readonly route: () => Calls,
  ) {}

  read<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    return this.life.hold(() => this.route().read(fn));
  }

  write<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    return this.life.hold(() => this.route().write(fn));
  }

  transaction<R>(fn: TransactionCallback<R>, timeoutMs: number): Promise<Awaited<R>> {
    return this.life.hold(() => this.route().transaction(fn, timeoutMs));
  }

  query(
    op: "all" | "get",
    sql: string,
    params: SqlParams | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    return this.life.hold(() =>
      // Its signal may have fired while it waited.
      signal?.aborted
        ? Promise.reject(abortedBeforeStart(this.name, signal))
        : this.route().query(op, sql, params, signal),
    );
  }

  run(sql: string, params: SqlParams | undefined): Promise<RunResult> {
    return this.life.hold(() => this.route().run(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.life.hold(() => this.route().exec(sql));
  }

  migrate(name: string, migrations: readonly Migration[]): Promise<void> {
    return this.life.hold(() => this.route().migrate(name, migrations));
  }
}

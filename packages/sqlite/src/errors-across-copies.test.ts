import { describe, expect, it } from "bun:test";
import { PoolError } from "@pool/core";
import * as here from "./errors.ts";
import * as hereExtensions from "./extensions.ts";

// Second instances of errors.ts and extensions.ts, as two copies of @pool/sqlite in one app (or
// the source next to the build output) would have. Variables: tsc cannot resolve a query.
const secondErrors = "./errors.ts?second-instance";
const secondExtensions = "./extensions.ts?second-instance";
const other: typeof here = await import(secondErrors);
const otherExtensions: typeof hereExtensions = await import(secondExtensions);

describe("SqliteError and its kin across copies of the package", () => {
  it("have really been loaded twice", () => {
    expect(other.SqliteError).not.toBe(here.SqliteError);
    expect(otherExtensions.SqliteExtensionError).not.toBe(hereExtensions.SqliteExtensionError);
  });

  it("recognise each class, and only it, from the other copy", () => {
    const theirs = new other.SqliteTransactionTimeoutError("db", 10);
    expect(theirs instanceof here.SqliteTransactionTimeoutError).toBe(true);
    expect(theirs instanceof here.SqliteTransactionError).toBe(true);
    expect(theirs instanceof PoolError).toBe(true);
    expect(theirs instanceof here.SqliteMigrationError).toBe(false);
    const mine = new here.SqliteError("SQLITE_BUSY", "busy", 5);
    expect(mine instanceof other.SqliteError).toBe(true);
    expect(mine instanceof other.SqliteOpenError).toBe(false);
    const worker = new other.SqliteWorkerError("SQLITE_WORKER_TIMEOUT", "slow");
    expect(worker instanceof here.SqliteWorkerError).toBe(true);
    expect(worker instanceof here.SqliteError).toBe(false);
    const extension = new otherExtensions.SqliteExtensionError("a.db", "vec0.so", "missing");
    expect(extension instanceof hereExtensions.SqliteExtensionError).toBe(true);
    expect(extension instanceof here.SqliteOpenError).toBe(true);
    expect(extension instanceof here.SqliteError).toBe(true);
    expect(new PoolError("POOL_CLOSED", "x") instanceof here.SqliteError).toBe(false);
    expect({ code: "SQLITE_BUSY" } instanceof here.SqliteError).toBe(false);
  });
});

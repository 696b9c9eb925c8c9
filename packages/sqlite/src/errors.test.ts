import { Database, type SQLiteError } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { PoolError } from "@pool/core";
import { thrownBy } from "../test/helpers.ts";
import {
  deserializeError,
  isBusy,
  SqliteError,
  SqliteOpenError,
  serializeError,
  toSqliteError,
} from "./errors.ts";

function sqliteErrorFrom(sql: string): SQLiteError {
  const db = new Database(":memory:");
  try {
    db.run("create table t(x unique)");
    db.run("insert into t values (1)");
    return thrownBy(() => db.run(sql)) as SQLiteError;
  } finally {
    db.close();
  }
}

describe("toSqliteError", () => {
  it("wraps bun:sqlite's error keeping code, errno and the original as cause", () => {
    const original = sqliteErrorFrom("insert into t values (1)");
    const error = toSqliteError(original) as SqliteError;
    expect(error).toBeInstanceOf(SqliteError);
    expect(error).toBeInstanceOf(PoolError);
    expect(error.code).toBe("SQLITE_CONSTRAINT_UNIQUE");
    expect(error.errno).toBe(2067);
    expect(error.cause).toBe(original);
  });

  it("leaves other errors alone", () => {
    const type = new TypeError("x");
    expect(toSqliteError(type)).toBe(type);
  });
});

describe("serializeError and deserializeError", () => {
  it("rebuild a SQLite error's class and code after crossing postMessage", () => {
    const data = structuredClone(serializeError(sqliteErrorFrom("insert into t values (1)")));
    const error = deserializeError(data) as SqliteError;
    expect(error).toBeInstanceOf(SqliteError);
    expect(error.code).toBe("SQLITE_CONSTRAINT_UNIQUE");
    expect(error.errno).toBe(2067);
  });

  it("rebuild an open error with its path, and standard errors with their class", () => {
    const open = deserializeError(
      structuredClone(serializeError(SqliteOpenError.from("/x.db", new Error("no")))),
    );
    expect(open).toBeInstanceOf(SqliteOpenError);
    expect((open as SqliteOpenError).path).toBe("/x.db");
    expect((open as SqliteOpenError).code).toBe("SQLITE_CANTOPEN");
    expect(deserializeError(structuredClone(serializeError(new TypeError("t"))))).toBeInstanceOf(
      TypeError,
    );
  });
});

describe("isBusy", () => {
  it("is true only for SQLITE_BUSY and its extended codes", () => {
    expect(isBusy(sqliteErrorFrom("insert into t values (1)"))).toBe(false);
    expect(isBusy(new Error("database is locked"))).toBe(false);
  });
});

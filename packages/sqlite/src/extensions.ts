import type { Database } from "bun:sqlite";
import { brandErrorClass, PoolInvalidOptionError } from "@pool/core";
import { SqliteOpenError } from "./errors.ts";

/**
 * A SQLite extension named in the `extensions` option could not be loaded into a connection
 * (`SQLITE_EXTENSION_FAILED`): the file is missing, is not a loadable extension for this
 * platform, or this SQLite refuses extensions (Apple's, unless `Database.setCustomSQLite()` was
 * called first). `extension` is the path as given, `path` the database, `cause` bun:sqlite's
 * error. The writer loads extensions in the constructor, so a bad path throws from there.
 *
 * @example
 * ```ts
 * try { new SqlitePool({ path: "app.db", extensions: ["./vec0.so"] }); }
 * catch (e) { if (e instanceof SqliteExtensionError) console.error(`cannot load ${e.extension}`); }
 * ```
 */
export class SqliteExtensionError extends SqliteOpenError {
  readonly extension: string;

  constructor(path: string, extension: string, message: string, options?: ErrorOptions) {
    super(path, "SQLITE_EXTENSION_FAILED", 1, message, options);
    this.extension = extension;
  }
}

// Recognised across copies of the package, as the classes in errors.ts are.
brandErrorClass(SqliteExtensionError, "@pool/sqlite.SqliteExtensionError");

/**
 * Checks the `extensions` option: an array of non-empty path strings.
 *
 * @throws {PoolInvalidOptionError} naming `extensions` or `extensions[i]`.
 */
export function checkExtensions(extensions: unknown): void {
  if (!Array.isArray(extensions)) {
    throw new PoolInvalidOptionError("extensions", "must be an array of extension file paths");
  }
  extensions.forEach((path, i) => {
    if (typeof path !== "string" || path.length === 0) {
      throw new PoolInvalidOptionError(`extensions[${i}]`, "must be a non-empty file path string");
    }
  });
}

/**
 * Loads each extension into `db`, in order. Run on every connection the pool opens (writer,
 * readers, reader processes): SQLite extensions register per connection, and a function
 * cannot be sent to another process to do it there.
 *
 * @throws {SqliteExtensionError} naming the extension that failed.
 */
export function loadExtensions(db: Database, dbPath: string, extensions: readonly string[]): void {
  for (const extension of extensions) {
    try {
      db.loadExtension(extension);
    } catch (error) {
      throw new SqliteExtensionError(
        dbPath,
        extension,
        `cannot load extension "${extension}" into "${dbPath}": ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
}

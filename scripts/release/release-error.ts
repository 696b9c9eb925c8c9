/** The stable codes of {@link ReleaseError}; match on these, never on the message. */
export type ReleaseErrorCode =
  | "RELEASE_BAD_FLAG"
  | "RELEASE_DIRTY_TREE"
  | "RELEASE_PENDING_CHANGESETS"
  | "RELEASE_DEPENDENCY_CYCLE"
  | "RELEASE_COMMAND_FAILED"
  | "RELEASE_CHECK_FAILED"
  | "RELEASE_PUBLISH_FAILED";

/**
 * Why a release (or its dry run) stopped. Thrown before the first upload unless the code is
 * `RELEASE_PUBLISH_FAILED`, which says what was published and what was not.
 *
 * @example
 * try {
 *   await runRelease({ root, dryRun: true });
 * } catch (error) {
 *   if (error instanceof ReleaseError && error.code === "RELEASE_CHECK_FAILED") process.exit(1);
 *   throw error;
 * }
 */
export class ReleaseError extends Error {
  override readonly name = "ReleaseError";

  constructor(
    readonly code: ReleaseErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

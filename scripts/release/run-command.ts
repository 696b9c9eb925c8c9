import { ReleaseError } from "./release-error.ts";

/** What a finished child process printed and how it exited. */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Where and with what environment {@link runCommand} starts a process. */
export interface CommandOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
}

/**
 * Runs a command to completion and captures its output. Asynchronous on purpose: a registry
 * stand-in served from the same process (as the tests do) must keep answering meanwhile.
 *
 * @example
 * const { exitCode, stdout } = await runCommand(["git", "status", "--porcelain"], { cwd: root });
 */
export async function runCommand(cmd: string[], options: CommandOptions): Promise<CommandResult> {
  const proc = Bun.spawn(cmd, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { exitCode, stdout, stderr };
}

/**
 * {@link runCommand}, failing with `RELEASE_COMMAND_FAILED` (and the command's output) when it
 * exits non-zero.
 *
 * @example
 * await mustRun(["bun", "run", "build"], { cwd: packageDir }, "build @pool/core");
 */
export async function mustRun(
  cmd: string[],
  options: CommandOptions,
  what: string,
): Promise<CommandResult> {
  const result = await runCommand(cmd, options);
  if (result.exitCode !== 0) {
    const output = `${result.stdout}${result.stderr}`.trim().split("\n").slice(-30).join("\n");
    throw new ReleaseError(
      "RELEASE_COMMAND_FAILED",
      `${what} failed (exit ${result.exitCode}): ${cmd.join(" ")}\n${output}`,
    );
  }
  return result;
}

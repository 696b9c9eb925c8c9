import { readFileSync } from "node:fs";

/** True once `pid` does not exist at all: `kill(pid, 0)` fails with `ESRCH` (exited and reaped). */
export function reaped(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as { code?: string }).code === "ESRCH";
  }
}

/** Kills whichever of `pids` still exist, so a failing test leaves no spinning process behind. */
export function killLeftovers(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone: what a passing test expects.
    }
  }
}

/**
 * True once `pid` no longer runs: it does not exist (`ESRCH`), or it is a zombie, dead and
 * waiting for whoever adopted it to reap it (an orphan's new parent, init here, reaps when it
 * likes; a zombie uses no CPU and holds no files or locks).
 */
export function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as { code?: string }).code === "ESRCH";
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ...", S the state; comm may hold spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true; // reaped between the two checks
  }
}

/** Polls `predicate` every 20 ms until it holds or `timeoutMs` passed; returns its last value. */
export async function eventually(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (predicate()) return true;
    if (Date.now() > deadline) return false;
    await Bun.sleep(20);
  }
}

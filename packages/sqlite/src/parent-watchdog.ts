/**
 * A thread inside each reader process that kills the process once its parent is gone. The
 * reader's own thread may be stuck inside a query, where it reads neither the IPC channel nor
 * anything else, so only another thread can notice. A dead parent shows as a changed
 * `process.ppid` (the orphan is re-parented to init or a subreaper): this covers `kill -9` of
 * the parent, which closes no channel politely.
 */
declare const self: Worker;

/** Often enough that an orphan is gone well within a second; cheap enough to be free. */
const POLL_MS = 100;

const parent = Number(process.env.POOL_SQLITE_PARENT_PID);

function check(): void {
  // SIGKILL, not process.exit(): exit() from a Worker would end only this thread.
  if (process.ppid !== parent) process.kill(process.pid, "SIGKILL");
}

check();
setInterval(check, POLL_MS);
self.postMessage("watching");

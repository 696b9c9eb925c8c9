import type { DeadlineEntry, DeadlineList } from "@pool/core";
import type { Socket, SocketHandler, TLSOptions } from "bun";
import { HttpConnectError, HttpTimeoutError } from "./errors.ts";

/**
 * Why a connection was closed; `stats()` counts each.
 *
 * @example
 * ```ts
 * const { closed } = http.stats().origins[origin]!.connections!;
 * console.log(closed.remoteClosed, closed.keepAliveTimeout);
 * ```
 */
export type CloseReason =
  | "connectionClose" // `Connection: close` (either side) or an HTTP/1.0 response
  | "remoteClosed" // the server closed it while idle
  | "keepAliveTimeout" // idle longer than keepAliveTimeoutMs or the server's Keep-Alive timeout
  | "lifetime" // older than maxLifetimeMs
  | "maxRequests" // served maxRequestsPerConnection requests
  | "timeout" // a headers or body timeout
  | "aborted" // the request was aborted or its body cancelled
  | "error" // a socket or protocol error, or a body that ran until close
  | "closed"; // the pool closed

/**
 * The part of an exchange a connection forwards socket events to.
 */
export interface ConnectionUser {
  onData(data: Buffer): void;
  /**
   * The socket closed. `error` is set when it did not end cleanly: Bun reports a reset (RST) as
   * an `ECONNRESET` error here, a FIN as no error.
   */
  onClose(error: Error | undefined): void;
  onDeadline(): void;
}

/**
 * Where and how to connect, shared by every connection of one origin.
 */
export interface ConnectTarget {
  origin: string;
  hostname: string;
  port: number;
  tls: TLSOptions | undefined;
  connectTimeoutMs: number;
  /**
   * The headers and body deadlines of the origin's connections; its `onExpire` calls
   * {@link Connection.expire}. Without keep-alive: a busy socket already holds the process open.
   */
  deadlines: DeadlineList<Connection>;
  /** Called when a connection closes while nobody is using it, so the pool can drop it. */
  onIdleClose(connection: Connection): void;
}

/**
 * One keep-alive socket. It knows nothing of HTTP: it forwards bytes to the exchange using it,
 * keeps what the kernel would not take until `drain`, and has one deadline at a time in its
 * origin's lazy deadline list, so a request costs no timer allocation.
 *
 * @example
 * ```ts
 * const connection = await Connection.open(target, signal);
 * connection.write(Buffer.from("GET / HTTP/1.1\r\nhost: x\r\n\r\n"));
 * ```
 */
export class Connection implements DeadlineEntry {
  deadline = 0;
  prev: DeadlineEntry | undefined = undefined;
  next: DeadlineEntry | undefined = undefined;
  owner: object | undefined = undefined;
  /** Requests started on this socket. */
  requests = 0;
  closed = false;
  /** This side closed it (`destroy()`), so its close says nothing of how the server ended. */
  closedLocally = false;
  /** Set by whoever decides to close it, before the pool's destroy runs. */
  closeReason: CloseReason | undefined = undefined;
  /** The exchange currently using the socket. */
  user: ConnectionUser | undefined = undefined;
  /** The idle timeout last given to the pool for this socket; -1 before the first. */
  idleTimeoutMs = -1;
  private socket: Socket<Connection> | undefined = undefined;
  private pendingOut: Uint8Array[] = [];
  private drainWaiters: Array<(ok: boolean) => void> = [];
  private paused = false;
  /** Set while a TLS connection waits for its handshake: called with the failure, if any. */
  private handshakeDone: ((error?: Error) => void) | undefined = undefined;
  private handshake: { error: Error | undefined } | undefined = undefined;
  private closeHandled = false;

  private constructor(readonly target: ConnectTarget) {}

  /**
   * Connects (TCP, then TLS for https), bounded by `connectTimeoutMs` and `signal`.
   *
   * @throws {HttpConnectError} when refused, unreachable or the TLS handshake fails.
   * @throws {HttpTimeoutError} `HTTP_CONNECT_TIMEOUT` after `connectTimeoutMs`.
   */
  static open(target: ConnectTarget, signal: AbortSignal): Promise<Connection> {
    const connection = new Connection(target);
    return new Promise<Connection>((resolve, reject) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        // Connected but not usable (a timeout or abort during the TLS handshake): close it.
        connection.handshakeDone = undefined;
        if (connection.socket !== undefined) connection.destroy();
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        reject(error);
      };
      const onAbort = () => fail(signal.reason);
      if (target.connectTimeoutMs > 0) {
        timer = setTimeout(
          () =>
            fail(
              new HttpTimeoutError("HTTP_CONNECT_TIMEOUT", target.origin, target.connectTimeoutMs),
            ),
          target.connectTimeoutMs,
        );
      }
      signal.addEventListener("abort", onAbort, { once: true });
      Bun.connect<Connection>({
        hostname: target.hostname,
        port: target.port,
        ...(target.tls === undefined ? {} : { tls: target.tls }),
        data: connection,
        socket: HANDLERS,
      }).then(
        (socket) => {
          connection.socket = socket;
          if (settled || connection.closed) {
            // Given up on while connecting (or the handshake failed after open): not ours.
            connection.closeReason ??= "error";
            socket.terminate();
            return fail(
              new HttpConnectError(target.origin, new Error("socket closed during connect")),
            );
          }
          const succeed = () => {
            settled = true;
            if (timer !== undefined) clearTimeout(timer);
            signal.removeEventListener("abort", onAbort);
            socket.setNoDelay(true);
            socket.unref();
            resolve(connection);
          };
          const handshaken = (error?: Error) => {
            connection.handshakeDone = undefined;
            if (settled) return;
            if (error === undefined) return succeed();
            connection.closeReason ??= "error";
            connection.destroy();
            fail(new HttpConnectError(target.origin, error));
          };
          // Bun resolves a TLS connect before the handshake; a request must wait for it.
          if (target.tls === undefined) succeed();
          else if (connection.handshake !== undefined) handshaken(connection.handshake.error);
          else connection.handshakeDone = handshaken;
        },
        (error: unknown) => fail(new HttpConnectError(target.origin, error)),
      );
    });
  }

  /**
   * Writes what the kernel takes now and queues the rest for `drain`.
   *
   * @returns bytes accepted right now (-1 when the socket is closed); compare with the length
   *   to know whether to {@link waitDrain}.
   */
  write(data: string | Uint8Array): number {
    if (this.closed) return -1;
    if (this.pendingOut.length > 0) {
      this.pendingOut.push(typeof data === "string" ? Buffer.from(data, "latin1") : data);
      return 0;
    }
    const n = this.socket!.write(data);
    if (n < 0) return -1;
    if (n < data.length) {
      // Strings given here are ASCII, so bytes written is also characters written.
      this.pendingOut.push(
        typeof data === "string" ? Buffer.from(data.slice(n), "latin1") : data.subarray(n),
      );
    }
    return n;
  }

  /** True while bytes wait for `drain`. */
  get writing(): boolean {
    return this.pendingOut.length > 0;
  }

  /** Resolves true once every queued byte is written, false if the socket closes first. */
  waitDrain(): Promise<boolean> {
    if (this.pendingOut.length === 0) return Promise.resolve(!this.closed);
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  pause(): void {
    if (this.paused || this.closed) return;
    this.paused = true;
    this.socket!.pause();
  }

  resume(): void {
    if (!this.paused || this.closed) return;
    this.paused = false;
    this.socket!.resume();
  }

  /**
   * Sets the deadline `ms` from now (`0` disarms): then the user's `onDeadline()` runs. Cheap
   * enough to call per chunk: it moves the connection in its origin's lazy deadline list.
   *
   * @param now `performance.now()`, when the caller has just read it.
   */
  setDeadline(ms: number, now?: number): void {
    const deadlines = this.target.deadlines;
    if (ms <= 0) return deadlines.remove(this);
    const at = now ?? performance.now();
    deadlines.add(this, at + ms, at);
  }

  /** @internal the deadline list's `onExpire`: the deadline set last has passed. */
  expire(): void {
    if (!this.closed) this.user?.onDeadline();
  }

  /** Closes the socket at once (no graceful FIN wait): the pool's `destroy`. */
  destroy(): void {
    this.target.deadlines.remove(this);
    if (this.closed) return;
    this.closed = true;
    this.closedLocally = true;
    this.socket?.terminate();
    this.settleDrain(false);
  }

  /** @internal socket handler */
  handleData(data: Buffer): void {
    if (this.user !== undefined) return this.user.onData(data);
    // Bytes nobody asked for: a late or unsolicited response. The socket cannot be trusted.
    this.closeReason ??= "error";
    this.destroy();
    this.target.onIdleClose(this);
  }

  /** @internal socket handler */
  handleHandshake(success: boolean, authorizationError: Error | null): void {
    const rejectUnauthorized = this.target.tls?.rejectUnauthorized !== false;
    const error =
      !success || (authorizationError !== null && rejectUnauthorized)
        ? (authorizationError ?? new Error("TLS handshake failed"))
        : undefined;
    this.handshake = { error };
    this.handshakeDone?.(error);
  }

  /** @internal socket handler */
  handleDrain(): void {
    while (this.pendingOut.length > 0) {
      const chunk = this.pendingOut[0]!;
      const n = this.socket!.write(chunk);
      if (n < 0) return;
      if (n < chunk.length) {
        this.pendingOut[0] = chunk.subarray(n);
        return;
      }
      this.pendingOut.shift();
    }
    this.settleDrain(true);
  }

  /**
   * Marks the socket busy or idle. An idle keep-alive socket must not keep the process alive,
   * as fetch's idle sockets do not.
   */
  setBusy(busy: boolean): void {
    if (this.closed) return;
    if (busy) this.socket!.ref();
    else this.socket!.unref();
  }

  /** @internal socket handler */
  handleClose(error: Error | undefined): void {
    if (this.closeHandled) return;
    this.closeHandled = true;
    const wasClosed = this.closed;
    this.closed = true;
    this.target.deadlines.remove(this);
    this.settleDrain(false);
    this.handshakeDone?.(error ?? new Error("connection closed during the TLS handshake"));
    const user = this.user;
    if (user !== undefined) return user.onClose(error);
    if (!wasClosed) {
      this.closeReason ??= "remoteClosed";
      this.target.onIdleClose(this);
    }
  }

  private settleDrain(ok: boolean): void {
    if (this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    this.pendingOut = [];
    for (const resolve of waiters) resolve(ok);
  }
}

// One handler object for every socket, as Bun recommends; the Connection rides in `socket.data`.
const HANDLERS: SocketHandler<Connection> = {
  data(socket, data) {
    socket.data.handleData(data);
  },
  drain(socket) {
    socket.data.handleDrain();
  },
  close(socket, error) {
    socket.data.handleClose(error);
  },
  error(socket, error) {
    // A TLS failure or a throwing handler; the socket closes next, reporting it to the user then.
    socket.data.closeReason ??= "error";
    socket.terminate();
    socket.data.handleClose(error);
  },
  handshake(socket, success, authorizationError) {
    socket.data.handleHandshake(success, authorizationError);
  },
  connectError() {
    // Reported through the rejected Bun.connect promise.
  },
};

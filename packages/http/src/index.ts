export type { CloseReason } from "./connection.ts";
export type { HttpErrorCode } from "./errors.ts";
export {
  HttpConnectError,
  HttpDecodeError,
  HttpError,
  HttpInvalidHeaderError,
  HttpInvalidRequestError,
  HttpNoHealthyOriginError,
  HttpOriginMismatchError,
  HttpParseError,
  HttpRedirectError,
  HttpSocketError,
  HttpTimeoutError,
} from "./errors.ts";
export type { HttpCloseOptions, HttpFetch, HttpPoolFetch } from "./http-pool.ts";
export { HttpPool } from "./http-pool.ts";
export type { HealthCheckOptions, HttpPoolOptions, HttpTlsOptions } from "./options.ts";
export type { ConnectionStats, HttpPoolStats, OriginStats } from "./origin-stats.ts";
export type { HttpRequestInit } from "./request.ts";

/** The stand-in's endpoints, as counted in `calls` and named in faults. */
export const ENDPOINTS = ["chat", "embed", "tags", "version", "ps", "other"] as const;

/**
 * One of {@link ENDPOINTS}: `chat` is `/api/chat`, `embed` `/api/embed`, `tags` `/api/tags`,
 * `version` `/api/version`, `ps` `/api/ps`; `other` is any other path.
 *
 * @example
 * ```ts
 * const endpoint: Endpoint = "chat";
 * ```
 */
export type Endpoint = (typeof ENDPOINTS)[number];

/**
 * The endpoint a request path belongs to.
 *
 * @example
 * ```ts
 * endpointOf("/api/chat"); // "chat"
 * ```
 */
export function endpointOf(pathname: string): Endpoint {
  const name = pathname.startsWith("/api/") ? pathname.slice(5) : "";
  return (ENDPOINTS as readonly string[]).includes(name) && name !== "other"
    ? (name as Endpoint)
    : "other";
}

import type { Logger } from "pino";
import type { IncomingMessage, ServerResponse } from "node:http";

/** A Probot server handler: true when it answered the request, false to let others try. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean;

/** Nothing of ours may be cached by a proxy: badges change with every pipeline. */
export const NO_CACHE = "no-cache, no-store, must-revalidate";

export function pathOf(req: IncomingMessage): string {
  return (req.url ?? "/").split("?")[0] ?? "/";
}

export function isRead(req: IncomingMessage): boolean {
  return req.method === "GET" || req.method === "HEAD";
}

export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
): void {
  res
    .writeHead(status, { "content-type": "application/json", "cache-control": NO_CACHE })
    .end(req.method === "HEAD" ? undefined : JSON.stringify(body));
}

export function sendText(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res
    .writeHead(status, {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": NO_CACHE,
      ...headers,
    })
    .end(req.method === "HEAD" ? undefined : text);
}

/** Tries each handler in order; the first that answers wins. */
export function firstMatch(handlers: readonly HttpHandler[]): HttpHandler {
  return async (req, res) => {
    for (const handler of handlers) if (await handler(req, res)) return true;
    return false;
  };
}

/** What a route's URL parser says of a request's URL. */
export type ParsedUrl<R> =
  | { readonly kind: "ours"; readonly request: R }
  | { readonly kind: "invalid" }
  | { readonly kind: "not-ours" };

export interface ReadRoute<R> {
  readonly parse: (url: string) => ParsedUrl<R>;
  /** The 400 answer to a malformed URL of this route ("Invalid badge URL"). */
  readonly invalid: string;
  readonly log: Logger;
  /** Answers a well-formed GET or HEAD; a throw becomes a logged 500. */
  readonly answer: (req: IncomingMessage, res: ServerResponse, request: R) => Promise<void>;
}

/**
 * A read-only route: other paths go on to the next handler, other methods get `405`,
 * malformed URLs `400`, and a failure `500` (logged, never the error itself).
 */
export function readRoute<R>(route: ReadRoute<R>): HttpHandler {
  return async (req, res) => {
    const parsed = route.parse(req.url ?? "/");
    if (parsed.kind === "not-ours") return false;
    if (!isRead(req)) {
      sendText(req, res, 405, "Method Not Allowed\n", { allow: "GET, HEAD" });
      return true;
    }
    if (parsed.kind === "invalid") {
      sendText(req, res, 400, `${route.invalid}\n`);
      return true;
    }
    try {
      await route.answer(req, res, parsed.request);
    } catch (error: unknown) {
      route.log.error({ err: error, url: pathOf(req) }, "request failed");
      if (!res.headersSent) sendText(req, res, 500, "Internal Server Error\n");
      else res.destroy();
    }
    return true;
  };
}

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

import { timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { NO_CACHE, isRead, pathOf, sendText, type HttpHandler } from "./respond.js";

/** Whether an `Authorization` header carries exactly `Bearer <token>` (constant time). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface MetricsRouteOptions {
  readonly registry: Registry;
  /** `PYLOT_METRICS_TOKEN`: when set, scrapes must send it as a Bearer token. */
  readonly token: string | undefined;
  readonly logger: Logger;
}

/** `GET /metrics` in Prometheus' text format, from this app instance's registry. */
export function createMetricsHandler(options: MetricsRouteOptions): HttpHandler {
  return async (req, res) => {
    if (pathOf(req) !== "/metrics" || !isRead(req)) return false;
    if (options.token !== undefined && !bearerMatches(req.headers.authorization, options.token)) {
      sendText(req, res, 401, "Unauthorized\n", { "www-authenticate": 'Bearer realm="pylot"' });
      return true;
    }
    try {
      const text = await options.registry.metrics();
      res
        .writeHead(200, { "content-type": options.registry.contentType, "cache-control": NO_CACHE })
        .end(req.method === "HEAD" ? undefined : text);
    } catch (error: unknown) {
      options.logger.error({ err: error }, "metrics collection failed");
      sendText(req, res, 500, "Internal Server Error\n");
    }
    return true;
  };
}

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readiness } from "./readiness.js";
import { isRead, pathOf, sendJson, type HttpHandler } from "./respond.js";

/**
 * `GET /healthz`: the process is up and serving HTTP (Docker's HEALTHCHECK, liveness probes).
 * A Probot server handler: returns true when it answered.
 */
export function healthHandler(req: IncomingMessage, res: ServerResponse): boolean {
  if (pathOf(req) !== "/healthz" || !isRead(req)) return false;
  sendJson(req, res, 200, { status: "ok" });
  return true;
}

/**
 * `GET /readyz`: 200 when this replica can do its work (store, and Redis when configured,
 * answer), 503 with the reason otherwise, and from the moment it starts shutting down, so load
 * balancers and Kubernetes stop sending it webhooks.
 */
export function createReadinessHandler(check: () => Promise<Readiness>): HttpHandler {
  return async (req, res) => {
    if (pathOf(req) !== "/readyz" || !isRead(req)) return false;
    const readiness = await check();
    const body = {
      status: readiness.ready ? "ready" : "unavailable",
      ...(readiness.reason === undefined ? {} : { reason: readiness.reason }),
      checks: readiness.checks,
    };
    sendJson(req, res, readiness.ready ? 200 : 503, body);
    return true;
  };
}

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Probot } from "probot";
import { pathOf } from "./respond.js";

/** GitHub caps webhook payloads at 25 MB: anything larger is not from GitHub. */
export const WEBHOOK_MAX_BYTES = 25 * 1024 * 1024;

/** @octokit/webhooks' Node middleware, as Probot hands it out. */
type NodeMiddleware = Awaited<ReturnType<Probot["getNodeMiddleware"]>>;
type Next = Parameters<NodeMiddleware>[2];

/** What the middleware reads instead of the stream (see @octokit/webhooks' getPayload). */
type PrereadRequest = IncomingMessage & { body?: unknown; rawBody?: Uint8Array };

export interface BodyCapOptions {
  /** The webhook path (WEBHOOK_PATH, Probot's default /api/github/webhooks). */
  readonly path: string;
  readonly maxBytes: number;
  readonly logger: Logger;
}

type Preread = { readonly ok: true; readonly body: Buffer } | { readonly ok: false };

/** Reads a request body until it ends or passes `maxBytes`; then stops reading. */
function readCapped(req: IncomingMessage, maxBytes: number): Promise<Preread> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off("data", onData);
        req.pause();
        resolve({ ok: false });
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => {
      resolve({ ok: true, body: Buffer.concat(chunks) });
    });
    req.once("error", () => {
      resolve({ ok: false });
    });
  });
}

function refuse(res: ServerResponse, maxBytes: number): true {
  const error = `Webhook payloads are at most ${maxBytes} bytes (GitHub's own limit)`;
  // Connection: close, since the rest of the body is not read.
  res
    .writeHead(413, { "content-type": "application/json", connection: "close" })
    .end(JSON.stringify({ error }));
  return true;
}

/**
 * Probot's webhook middleware reads a whole body into memory before it verifies the signature,
 * so an unauthenticated sender could make the bot buffer any size. This wrapper answers 413 to
 * a webhook POST whose Content-Length says it is too large without reading it, and reads other
 * bodies itself up to the cap (a chunked body that grows past it is cut off with 413), handing
 * the middleware the bytes it read. Nothing is verified or recorded for a refused body.
 */
export function capBodies(middleware: NodeMiddleware, options: BodyCapOptions): NodeMiddleware {
  const { maxBytes, logger } = options;
  // True when the request was answered, as the middleware itself says.
  const pass = async (req: PrereadRequest, res: ServerResponse, next: Next): Promise<boolean> =>
    ((await middleware(req, res, next)) as unknown) === true;
  return async (req: PrereadRequest, res: ServerResponse, next?: Next): Promise<boolean> => {
    if (req.method !== "POST" || pathOf(req) !== options.path) return pass(req, res, next);
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      logger.warn({ bytes: declared }, "webhook refused: body larger than GitHub sends");
      return refuse(res, maxBytes);
    }
    const read = await readCapped(req, maxBytes);
    if (!read.ok) {
      logger.warn({ maxBytes }, "webhook refused: body grew past the cap");
      return refuse(res, maxBytes);
    }
    req.rawBody = read.body;
    req.body = {};
    return pass(req, res, next);
  };
}

/**
 * Wraps the middleware Probot's server asks for (it does so after loading the app), so the cap
 * applies before Probot's own signature check. Probot offers no hook in front of its webhook
 * middleware; this one replaces the instance's `getNodeMiddleware`.
 */
export function capWebhookBodies(probot: Probot, options: BodyCapOptions): void {
  const original = probot.getNodeMiddleware.bind(probot);
  probot.getNodeMiddleware = async (settings) => capBodies(await original(settings), options);
}

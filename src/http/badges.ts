import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { PipelineView, RepositoryRecord, Store } from "../engine/ports.js";
import { parseBadgeUrl, type BadgeRequest } from "./badge-request.js";
import { matchesEtag, renderBadge } from "./badge-render.js";
import {
  NOT_FOUND_FACE,
  coverageFace,
  deployFace,
  statusFace,
  type BadgeFace,
} from "./badge-state.js";
import { verifyBadgeToken } from "./badge-token.js";
import { NO_CACHE, readRoute, type HttpHandler } from "./respond.js";

export type BadgeStore = Pick<
  Store,
  "getRepository" | "latestPipeline" | "listJobs" | "listDeployments"
>;

export interface BadgeRouteOptions {
  readonly store: BadgeStore;
  /** `PYLOT_BADGE_SECRET`; without it private repositories have no badges. */
  readonly secret: string | undefined;
  readonly logger: Logger;
}

type Access =
  | { readonly kind: "granted"; readonly repository: RepositoryRecord }
  | { readonly kind: "unknown-repository" }
  | { readonly kind: "no-secret" }
  | { readonly kind: "bad-token" };

/** Public repositories are open; private ones need this repository's and kind's token. */
function access(
  repository: RepositoryRecord | undefined,
  request: BadgeRequest,
  secret: string | undefined,
): Access {
  if (repository === undefined) return { kind: "unknown-repository" };
  if (!repository.private) return { kind: "granted", repository };
  if (secret === undefined) return { kind: "no-secret" };
  const { token, kind } = request;
  const valid =
    token !== undefined && verifyBadgeToken({ secret, repo: repository.fullName, kind, token });
  return valid ? { kind: "granted", repository } : { kind: "bad-token" };
}

async function finishedView(
  store: BadgeStore,
  repo: string,
  ref: string,
): Promise<PipelineView | undefined> {
  const pipeline = await store.latestPipeline({ repo, ref, completedOnly: true });
  return pipeline === undefined ? undefined : { pipeline, jobs: await store.listJobs(pipeline.id) };
}

async function faceFor(
  store: BadgeStore,
  request: BadgeRequest,
  repository: RepositoryRecord,
): Promise<BadgeFace> {
  const repo = repository.fullName;
  if (request.kind === "deploy")
    return deployFace(request.env, await store.listDeployments(repo, request.env));
  const branch = request.branch ?? repository.defaultBranch ?? undefined;
  const ref = branch === undefined ? undefined : `refs/heads/${branch}`;
  const finished = ref === undefined ? undefined : await finishedView(store, repo, ref);
  if (request.kind === "coverage") return coverageFace(finished);
  const latest =
    ref === undefined ? undefined : await store.latestPipeline({ repo, ref, completedOnly: false });
  return statusFace({ latest, finished, check: request.check });
}

function sendBadge(req: IncomingMessage, res: ServerResponse, status: number, face: BadgeFace) {
  const { svg, etag } = renderBadge(face);
  const headers = { "content-type": "image/svg+xml", "cache-control": NO_CACHE, etag };
  if (status === 200 && matchesEtag(req.headers["if-none-match"], etag)) {
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(status, headers).end(req.method === "HEAD" ? undefined : svg);
}

/**
 * `GET /badges/:owner/:repo/{status,coverage}.svg` and `…/deploy/:env.svg`. An unknown
 * repository and a private one without a valid token get the very same 404, so a badge URL
 * tells nothing about which private repositories exist.
 */
export function createBadgeHandler(options: BadgeRouteOptions): HttpHandler {
  const log = options.logger.child({ name: "badges" });
  let warnedNoSecret = false;
  return readRoute({
    parse: parseBadgeUrl,
    invalid: "Invalid badge URL",
    log,
    async answer(req, res, request) {
      const repository = await options.store.getRepository(`${request.owner}/${request.repo}`);
      const allowed = access(repository, request, options.secret);
      if (allowed.kind === "no-secret" && !warnedNoSecret) {
        warnedNoSecret = true;
        log.warn(
          { repo: repository?.fullName },
          "private repository badges are off: PYLOT_BADGE_SECRET is not set",
        );
      }
      if (allowed.kind !== "granted") {
        sendBadge(req, res, 404, NOT_FOUND_FACE);
        return;
      }
      sendBadge(req, res, 200, await faceFor(options.store, request, allowed.repository));
    },
  });
}

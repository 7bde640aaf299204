import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { Logger } from "pino";
import type { ArtifactFiles } from "../artifacts/file-store.js";
import type { ArtifactIndex, ArtifactRecord, RepositoryRecord, Store } from "../engine/ports.js";
import { artifactUrl, parseArtifactUrl, type ArtifactRequest } from "./artifact-request.js";
import { verifyBadgeToken } from "./badge-token.js";
import { NO_CACHE, isRead, sendJson, sendText, type HttpHandler } from "./respond.js";

export interface ArtifactRouteOptions {
  readonly store: Pick<Store, "getRepository">;
  readonly index: ArtifactIndex;
  readonly files: ArtifactFiles;
  /** `PYLOT_BADGE_SECRET`; without it private repositories' artifacts are not served. */
  readonly secret: string | undefined;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** Public repositories are open; private ones need the repository's `artifacts` token. */
async function visibleRepository(
  options: ArtifactRouteOptions,
  request: ArtifactRequest,
): Promise<RepositoryRecord | undefined> {
  const repository = await options.store.getRepository(`${request.owner}/${request.repo}`);
  if (repository === undefined || !repository.private) return repository;
  const { secret } = options;
  const { token } = request;
  if (secret === undefined || token === undefined) return undefined;
  const valid = verifyBadgeToken({ secret, repo: repository.fullName, kind: "artifacts", token });
  return valid ? repository : undefined;
}

function notFound(req: IncomingMessage, res: ServerResponse): true {
  sendText(req, res, 404, "Not Found\n");
  return true;
}

function listing(repo: string, sha: string, records: readonly ArtifactRecord[]) {
  return {
    repo,
    sha,
    artifacts: records.map((r) => ({
      name: r.name,
      kind: r.kind,
      size: r.size,
      sha256: r.sha256,
      job: r.job,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      url: artifactUrl({ publicUrl: "", repo, sha, name: r.name }),
    })),
  };
}

/** The file's bytes, streamed from the store: never read into memory whole. */
async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  options: ArtifactRouteOptions,
  record: ArtifactRecord,
): Promise<void> {
  const etag = `"${record.sha256}"`;
  const headers = {
    "content-type": "application/octet-stream",
    "content-disposition": `attachment; filename="${record.name}"`,
    "content-length": String(record.size),
    "cache-control": NO_CACHE,
    etag,
    "x-checksum-sha256": record.sha256,
  };
  if (req.headers["if-none-match"]?.split(/\s*,\s*/).includes(etag) === true) {
    res.writeHead(304, { etag, "cache-control": NO_CACHE }).end();
    return;
  }
  res.writeHead(200, headers);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  try {
    await pipeline(options.files.open(record.sha256), res);
  } catch (error) {
    // Mostly a client that went away; the response is already under way either way.
    options.logger.debug({ err: error, name: record.name }, "artifact download ended early");
    res.destroy();
  }
}

/**
 * `GET /artifacts/:owner/:repo/:sha` (JSON list) and `…/:sha/:name` (the file). An unknown
 * repository, a private one without a valid token, an unknown commit or name, and an expired
 * artifact all get the very same 404, so the URL tells nothing about private repositories.
 */
export function createArtifactHandler(options: ArtifactRouteOptions): HttpHandler {
  const log = options.logger.child({ name: "artifacts" });
  const now = options.now ?? (() => new Date());
  return async (req, res) => {
    const parsed = parseArtifactUrl(req.url ?? "/");
    if (parsed.kind === "not-ours") return false;
    if (!isRead(req)) {
      sendText(req, res, 405, "Method Not Allowed\n", { allow: "GET, HEAD" });
      return true;
    }
    if (parsed.kind === "invalid") {
      sendText(req, res, 400, "Invalid artifact URL\n");
      return true;
    }
    const { request } = parsed;
    try {
      const repository = await visibleRepository(options, request);
      if (repository === undefined) return notFound(req, res);
      const repo = repository.fullName;
      const records = await options.index.listArtifacts(repo, request.sha, now().toISOString());
      if (request.kind === "list") {
        if (records.length === 0) return notFound(req, res);
        sendJson(req, res, 200, listing(repo, request.sha, records));
        return true;
      }
      const record = records.find((r) => r.name === request.name);
      if (record === undefined) return notFound(req, res);
      if ((await options.files.sizeOf(record.sha256)) !== record.size) {
        log.warn(
          { repo, sha: request.sha, name: record.name },
          "artifact file is not on this host",
        );
        return notFound(req, res);
      }
      await sendFile(req, res, { ...options, logger: log }, record);
    } catch (error: unknown) {
      log.error({ err: error }, "artifact request failed");
      if (!res.headersSent) sendText(req, res, 500, "Internal Server Error\n");
    }
    return true;
  };
}

import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { Logger } from "pino";
import type { ArtifactFiles } from "../artifacts/file-store.js";
import type { ArtifactIndex, ArtifactRecord, Store } from "../engine/ports.js";
import { artifactUrl, parseArtifactUrl, type ArtifactRequest } from "./artifact-request.js";
import { visibleRepository } from "./access.js";
import { NO_CACHE, readRoute, sendJson, sendText, type HttpHandler } from "./respond.js";

export interface ArtifactRouteOptions {
  readonly store: Pick<Store, "getRepository">;
  readonly index: ArtifactIndex;
  readonly files: ArtifactFiles;
  /** `PYLOT_BADGE_SECRET`; without it private repositories' artifacts are not served. */
  readonly secret: string | undefined;
  readonly logger: Logger;
  readonly now?: () => Date;
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
  return readRoute({
    parse: parseArtifactUrl,
    invalid: "Invalid artifact URL",
    log,
    async answer(req, res, request) {
      const found = await lookup(options, request, now().toISOString(), log);
      if (found === undefined) sendText(req, res, 404, "Not Found\n");
      else if (found.kind === "list") sendJson(req, res, 200, found.listing);
      else await sendFile(req, res, { ...options, logger: log }, found.record);
    },
  });
}

type Found =
  | { readonly kind: "list"; readonly listing: ReturnType<typeof listing> }
  | { readonly kind: "file"; readonly record: ArtifactRecord };

/** What the request may see: undefined for anything hidden, unknown, expired or not here. */
async function lookup(
  options: ArtifactRouteOptions,
  request: ArtifactRequest,
  now: string,
  log: Logger,
): Promise<Found | undefined> {
  const repository = await visibleRepository({
    store: options.store,
    fullName: `${request.owner}/${request.repo}`,
    secret: options.secret,
    kind: "artifacts",
    token: request.token,
  });
  if (repository === undefined) return undefined;
  const repo = repository.fullName;
  const records = await options.index.listArtifacts(repo, request.sha, now);
  if (request.kind === "list")
    return records.length === 0
      ? undefined
      : { kind: "list", listing: listing(repo, request.sha, records) };
  const record = records.find((r) => r.name === request.name);
  if (record === undefined) return undefined;
  if ((await options.files.sizeOf(record.sha256)) !== record.size) {
    log.warn({ repo, sha: request.sha, name: record.name }, "artifact file is not on this host");
    return undefined;
  }
  return { kind: "file", record };
}

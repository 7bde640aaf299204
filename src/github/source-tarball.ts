import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { copyFile, mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { Logger } from "pino";
import type { SourceRef } from "../engine/ports.js";
import type { RequestPort } from "./ports.js";

export type GithubSource = Extract<SourceRef, { kind: "github" }>;

export interface SourceFetcherOptions {
  /** An installation's client (`app.auth(id)`); its token stays in this process. */
  readonly octokitFor: (installationId: number) => Promise<RequestPort>;
  readonly logger: Logger;
  /** Refuse archives larger than this (bytes); default 1 GiB. */
  readonly maxBytes?: number;
  /**
   * Keeps the last archives here, so the jobs of one commit (a matrix) download it once.
   * Without it every job downloads its own copy.
   */
  readonly cacheDir?: string;
  /** Archives kept in `cacheDir`; default 16. */
  readonly cacheEntries?: number;
}

/** A source archive over `maxBytes`: the download stops instead of filling the disk. */
export class SourceTooLargeError extends Error {
  override readonly name = "SourceTooLargeError";
}

function sizeLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes)
        callback(new SourceTooLargeError(`the source archive is larger than ${maxBytes} bytes`));
      else callback(null, chunk);
    },
  });
}

function isWebStream(value: unknown): value is WebReadableStream<Uint8Array> {
  return typeof value === "object" && value !== null && "getReader" in value;
}

type Download = (ref: GithubSource, dest: string) => Promise<void>;

function downloader(options: SourceFetcherOptions): Download {
  const maxBytes = options.maxBytes ?? 1024 ** 3;
  const log = options.logger.child({ name: "source" });
  return async (ref, dest) => {
    const [owner, repo, ...extra] = ref.repo.split("/");
    if (owner === undefined || repo === undefined || extra.length > 0)
      throw new Error(`not an "owner/name" repository: ${ref.repo}`);
    const octokit = await options.octokitFor(ref.installationId);
    const started = Date.now();
    const response = await octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
      owner,
      repo,
      ref: ref.sha,
      request: { parseSuccessResponseBody: false },
    });
    const body: unknown = response.data;
    if (!isWebStream(body)) throw new Error("GitHub sent no archive body");
    try {
      await pipeline(Readable.fromWeb(body), sizeLimit(maxBytes), createWriteStream(dest));
    } catch (error) {
      await rm(dest, { force: true });
      throw error;
    }
    log.debug({ repo: ref.repo, sha: ref.sha, ms: Date.now() - started }, "source fetched");
  };
}

/** One download per commit while it stays among the last `entries` commits fetched. */
function cached(download: Download, dir: string, entries: number): Download {
  const archives = new Map<string, Promise<string>>();
  const fetchOnce = (ref: GithubSource): Promise<string> => {
    const key = `${ref.repo}@${ref.sha}`;
    let archive = archives.get(key);
    if (archive === undefined) {
      const file = join(dir, `${createHash("sha256").update(key).digest("hex")}.tar.gz`);
      archive = (async () => {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await download(ref, `${file}.part`);
        await rename(`${file}.part`, file);
        return file;
      })();
      archive.catch(() => archives.delete(key));
      archives.set(key, archive);
      for (const [old, path] of archives) {
        if (archives.size <= entries) break;
        archives.delete(old);
        void path.then((f) => rm(f, { force: true })).catch(() => undefined);
      }
    }
    return archive;
  };
  return async (ref, dest) => {
    await copyFile(await fetchOnce(ref), dest);
  };
}

/**
 * The runner's `fetchSource` for GitHub pipelines: `GET /repos/{owner}/{repo}/tarball/{sha}`
 * with the installation token (following GitHub's redirect to the archive host; fetch drops
 * the token on a cross-origin redirect), streamed to `dest`. The token is never written
 * anywhere and never reaches job processes: they only see the extracted files.
 */
export function createSourceFetcher(options: SourceFetcherOptions): Download {
  const download = downloader(options);
  if (options.cacheDir === undefined) return download;
  return cached(download, options.cacheDir, options.cacheEntries ?? 16);
}

import { badgeToken } from "./badge-token.js";
import type { ParsedUrl } from "./respond.js";

/**
 * The addresses of Pylot's pipeline pages (`details_url` of every check run):
 * `/pipelines/:id` and `/pipelines/:id/jobs/:key`. Pages of private repositories need the
 * repository's `logs` token, which the link carries; it opens nothing but these pages.
 */

export interface PipelineLinkOptions {
  /** `PYLOT_PUBLIC_URL`; without it there are no links. */
  readonly publicUrl: string | undefined;
  /** `PYLOT_BADGE_SECRET`; without it private repositories' pages stay closed. */
  readonly secret: string | undefined;
}

export type PipelineLink = (repo: string, pipelineId: string, key?: string) => string | undefined;

export function pipelineLinks(options: PipelineLinkOptions): PipelineLink {
  const base = options.publicUrl?.replace(/\/+$/, "");
  const { secret } = options;
  return (repo, pipelineId, key) => {
    if (base === undefined) return undefined;
    const job = key === undefined ? "" : `/jobs/${encodeURIComponent(key)}`;
    const token =
      secret === undefined ? "" : `?token=${badgeToken({ secret, repo, kind: "logs" })}`;
    return `${base}/pipelines/${encodeURIComponent(pipelineId)}${job}${token}`;
  };
}

export type PageRequest =
  | { readonly kind: "pipeline"; readonly pipelineId: string; readonly token?: string }
  | {
      readonly kind: "job";
      readonly pipelineId: string;
      readonly key: string;
      readonly token?: string;
    };

export type ParsedPageUrl = ParsedUrl<PageRequest>;

const PATH = /^\/pipelines\/([^/]+)(?:\/jobs\/([^/]+))?\/?$/;
const ID = /^[A-Za-z0-9._:-]{1,200}$/;
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Paths outside `/pipelines/` are not ours; malformed ones are invalid. */
export function parsePageUrl(url: string): ParsedPageUrl {
  const parsed = URL.parse(url, "http://pylot.invalid");
  if (parsed === null || !parsed.pathname.startsWith("/pipelines/")) return { kind: "not-ours" };
  const match = PATH.exec(parsed.pathname);
  if (match === null) return { kind: "invalid" };
  const pipelineId = decode(match[1] ?? "");
  const key = match[2] === undefined ? undefined : decode(match[2]);
  if (pipelineId === undefined || !ID.test(pipelineId)) return { kind: "invalid" };
  if (key !== undefined && !ID.test(key)) return { kind: "invalid" };
  const tokens = parsed.searchParams.getAll("token");
  if (tokens.length > 1 || (tokens[0] !== undefined && !TOKEN.test(tokens[0])))
    return { kind: "invalid" };
  const token = tokens[0] === undefined ? {} : { token: tokens[0] };
  if (match[2] === undefined)
    return { kind: "ours", request: { kind: "pipeline", pipelineId, ...token } };
  if (key === undefined) return { kind: "invalid" };
  return { kind: "ours", request: { kind: "job", pipelineId, key, ...token } };
}

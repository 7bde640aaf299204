import { isRepoName } from "./badge-request.js";
import type { ParsedUrl } from "./respond.js";

/**
 * Artifact URLs, decoded and validated: `/artifacts/:owner/:repo/:sha` (the commit's list, JSON)
 * and `/artifacts/:owner/:repo/:sha/:name` (one file), each with an optional `?token=`. The
 * path is read as sent, not normalised, so `..` or an encoded `/` never reaches a lookup.
 */

export type ArtifactRequest = {
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  readonly token?: string;
} & ({ readonly kind: "list" } | { readonly kind: "file"; readonly name: string });

export type ParsedArtifactUrl = ParsedUrl<ArtifactRequest>;

const PREFIX = "/artifacts/";
const OWNER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$/;
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** A wheel's or sdist's file name: no separators, no leading dot. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$/;
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

export function isArtifactName(name: string): boolean {
  return NAME.test(name) && !name.includes("..");
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function tokenOf(query: string): { ok: boolean; token?: string } {
  const tokens = new URLSearchParams(query).getAll("token");
  if (tokens.length === 0) return { ok: true };
  const [token] = tokens;
  return tokens.length === 1 && token !== undefined && TOKEN.test(token)
    ? { ok: true, token }
    : { ok: false };
}

export function parseArtifactUrl(url: string): ParsedArtifactUrl {
  const at = url.indexOf("?");
  const path = at < 0 ? url : url.slice(0, at);
  if (!path.startsWith(PREFIX)) return { kind: "not-ours" };
  const segments = path.slice(PREFIX.length).split("/").map(decode);
  if (segments.at(-1) === "" && segments.length === 4) segments.pop();
  if (segments.length < 3 || segments.length > 4) return { kind: "invalid" };
  const [owner, repo, rawSha, name] = segments;
  const sha = rawSha?.toLowerCase();
  if (owner === undefined || !OWNER.test(owner)) return { kind: "invalid" };
  if (repo === undefined || !isRepoName(repo)) return { kind: "invalid" };
  if (sha === undefined || !SHA.test(sha)) return { kind: "invalid" };
  const token = tokenOf(at < 0 ? "" : url.slice(at + 1));
  if (!token.ok) return { kind: "invalid" };
  const target = { owner, repo, sha, ...(token.token === undefined ? {} : { token: token.token }) };
  if (segments.length === 3) return { kind: "ours", request: { ...target, kind: "list" } };
  if (name === undefined || !isArtifactName(name)) return { kind: "invalid" };
  return { kind: "ours", request: { ...target, kind: "file", name } };
}

/** `<publicUrl>/artifacts/owner/repo/sha[/name]`: where a kept artifact is downloaded. */
export function artifactUrl(input: {
  readonly publicUrl: string;
  readonly repo: string;
  readonly sha: string;
  readonly name?: string;
}): string {
  const base = input.publicUrl.replace(/\/+$/, "");
  const repo = input.repo.split("/").map(encodeURIComponent).join("/");
  const file = input.name === undefined ? "" : `/${encodeURIComponent(input.name)}`;
  return `${base}/artifacts/${repo}/${encodeURIComponent(input.sha)}${file}`;
}

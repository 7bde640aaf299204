import type { ParsedUrl } from "./respond.js";

/** Badge URLs, decoded and validated: nothing from them reaches the store or a badge unchecked. */

export const BADGE_KINDS = ["status", "coverage", "deploy"] as const;
export type BadgeKind = (typeof BADGE_KINDS)[number];

interface BadgeTarget {
  readonly owner: string;
  readonly repo: string;
  readonly token?: string;
}

export type BadgeRequest =
  | (BadgeTarget & { readonly kind: "status"; readonly branch?: string; readonly check?: string })
  | (BadgeTarget & { readonly kind: "coverage"; readonly branch?: string })
  | (BadgeTarget & { readonly kind: "deploy"; readonly env: string });

export type ParsedBadgeUrl = ParsedUrl<BadgeRequest>;

// GitHub's rules, a little wider where GitHub Enterprise Server is (underscores in owners).
const OWNER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const ENV = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const CHECK = /^[A-Za-z0-9 ._,()+:=/-]{1,100}$/;
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;
const BRANCH = /^[A-Za-z0-9._/+-]{1,255}$/;

/** A branch name git accepts (`git check-ref-format --branch`), within the characters above. */
export function isBranchName(name: string): boolean {
  return (
    BRANCH.test(name) &&
    !name.includes("..") &&
    !name.includes("//") &&
    !/^[-./]/.test(name) &&
    !/[./]$/.test(name) &&
    !name.endsWith(".lock") &&
    !name.split("/").some((part) => part.startsWith("."))
  );
}

export function isRepoName(name: string): boolean {
  return REPO.test(name) && name !== "." && name !== "..";
}

const PATH = /^\/badges\/([^/]+)\/([^/]+)\/(?:(status|coverage)\.svg|deploy\/([^/]+)\.svg)$/;

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** One query value: undefined when absent, null when repeated or empty (refused). */
function single(query: URLSearchParams, name: string): string | undefined | null {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  return values.length === 1 && values[0] !== "" ? (values[0] ?? null) : null;
}

function optional(value: string | undefined | null, valid: (v: string) => boolean) {
  if (value === null) return { ok: false as const };
  if (value === undefined) return { ok: true as const, value: undefined };
  return valid(value) ? { ok: true as const, value } : { ok: false as const };
}

/**
 * `/badges/:owner/:repo/status.svg?branch=&check=&token=`, `…/coverage.svg?branch=&token=` and
 * `…/deploy/:env.svg?token=`. Paths outside `/badges/` are not ours; malformed ones are invalid.
 */
export function parseBadgeUrl(url: string): ParsedBadgeUrl {
  const parsed = URL.parse(url, "http://pylot.invalid");
  if (parsed === null || !parsed.pathname.startsWith("/badges/")) return { kind: "not-ours" };
  const match = PATH.exec(parsed.pathname);
  if (match === null) return { kind: "invalid" };
  const [, rawOwner = "", rawRepo = "", kind, rawEnv] = match;
  const owner = decode(rawOwner);
  const repo = decode(rawRepo);
  if (owner === undefined || repo === undefined || !OWNER.test(owner) || !isRepoName(repo))
    return { kind: "invalid" };
  const query = parsed.searchParams;
  const token = optional(single(query, "token"), (v) => TOKEN.test(v));
  if (!token.ok) return { kind: "invalid" };
  const target = { owner, repo, ...(token.value === undefined ? {} : { token: token.value }) };
  if (kind === undefined) {
    const env = rawEnv === undefined ? undefined : decode(rawEnv);
    if (env === undefined || !ENV.test(env)) return { kind: "invalid" };
    return { kind: "ours", request: { ...target, kind: "deploy", env } };
  }
  const branch = optional(single(query, "branch"), isBranchName);
  if (!branch.ok) return { kind: "invalid" };
  const withBranch = { ...target, ...(branch.value === undefined ? {} : { branch: branch.value }) };
  if (kind === "coverage") return { kind: "ours", request: { ...withBranch, kind: "coverage" } };
  const check = optional(single(query, "check"), (v) => CHECK.test(v));
  if (!check.ok) return { kind: "invalid" };
  const request = { ...withBranch, ...(check.value === undefined ? {} : { check: check.value }) };
  return { kind: "ours", request: { ...request, kind: "status" } };
}

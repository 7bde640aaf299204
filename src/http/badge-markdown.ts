import type { BadgeKind } from "./badge-request.js";
import { badgeToken } from "./badge-token.js";

export interface BadgeMarkdownOptions {
  /** `PYLOT_PUBLIC_URL`: where this server is reachable from the internet. */
  readonly publicUrl: string;
  /** "owner/name". */
  readonly repo: string;
  readonly branch: string;
  /**
   * `PYLOT_BADGE_SECRET`, for a private repository: each URL then carries its token. Leave it
   * out for public repositories, whose badges need none.
   */
  readonly secret?: string | undefined;
  /** Environments to add a deploy badge for, in this order. */
  readonly environments?: readonly string[];
}

export interface BadgeUrls {
  readonly status: string;
  readonly coverage: string;
  readonly deploy: readonly { readonly env: string; readonly url: string }[];
}

function encodePath(repo: string): string {
  return repo.split("/").map(encodeURIComponent).join("/");
}

/** The badge URLs of a repository's branch, signed when a secret is given. */
export function badgeUrls(options: BadgeMarkdownOptions): BadgeUrls {
  const base = `${options.publicUrl.replace(/\/+$/, "")}/badges/${encodePath(options.repo)}`;
  const url = (path: string, kind: BadgeKind, query: Readonly<Record<string, string>>) => {
    const params = new URLSearchParams(query);
    if (options.secret !== undefined)
      params.set("token", badgeToken({ secret: options.secret, repo: options.repo, kind }));
    const search = params.toString();
    return `${base}/${path}${search === "" ? "" : `?${search}`}`;
  };
  const branch = { branch: options.branch };
  return {
    status: url("status.svg", "status", branch),
    coverage: url("coverage.svg", "coverage", branch),
    deploy: (options.environments ?? []).map((env) => ({
      env,
      url: url(`deploy/${encodeURIComponent(env)}.svg`, "deploy", {}),
    })),
  };
}

function altText(text: string): string {
  return text.replace(/[[\]\\]/g, "\\$&");
}

/**
 * Ready-to-paste Markdown for a README (what `/badge` replies): one image per line, which
 * Markdown shows side by side.
 */
export function badgeMarkdown(options: BadgeMarkdownOptions): string {
  const urls = badgeUrls(options);
  const lines = [
    `![Pylot status](${urls.status})`,
    `![Pylot coverage](${urls.coverage})`,
    ...urls.deploy.map(({ env, url }) => `![${altText(env)} deployment](${url})`),
  ];
  return lines.join("\n");
}

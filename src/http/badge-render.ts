import { createHash } from "node:crypto";
import { makeBadge } from "badge-maker";
import type { BadgeFace } from "./badge-state.js";

export interface RenderedBadge {
  readonly svg: string;
  /** A strong ETag of the SVG: equal badges, equal tags, whichever replica drew them. */
  readonly etag: string;
}

/** Shields' flat style, drawn by shields.io's own library (it escapes the text). */
export function renderBadge(face: BadgeFace): RenderedBadge {
  const svg = makeBadge({
    label: face.label,
    message: face.message,
    color: face.color,
    style: "flat",
  });
  const digest = createHash("sha256").update(svg).digest("base64url").slice(0, 27);
  return { svg, etag: `"${digest}"` };
}

/** Whether an `If-None-Match` header names this ETag (or `*`); weak tags compare equal too. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === etag);
}

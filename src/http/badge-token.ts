import { createHmac, timingSafeEqual } from "node:crypto";
import type { BadgeKind } from "./badge-request.js";

/**
 * What a token opens: one badge kind, a pipeline's pages and logs (`logs`), or its build
 * artifacts (`artifacts`). A token for one kind opens nothing else.
 */
export type TokenKind = BadgeKind | "logs" | "artifacts";

export interface BadgeTokenInput {
  /** `PYLOT_BADGE_SECRET`. Rotating it revokes every token at once. */
  readonly secret: string;
  /** "owner/name"; compared case-insensitively, as GitHub names are. */
  readonly repo: string;
  readonly kind: TokenKind;
}

/**
 * HMAC-SHA256(secret, `owner/name:kind`), base64url. One token per repository and kind: it works
 * for every branch (and every `check`, or every environment of deploy badges).
 */
export function badgeToken(input: BadgeTokenInput): string {
  return createHmac("sha256", input.secret)
    .update(`${input.repo.toLowerCase()}:${input.kind}`)
    .digest("base64url");
}

/** Constant-time comparison with the expected token. */
export function verifyBadgeToken(input: BadgeTokenInput & { readonly token: string }): boolean {
  const expected = Buffer.from(badgeToken(input));
  const given = Buffer.from(input.token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

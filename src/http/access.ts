import type { RepositoryRecord, Store } from "../engine/ports.js";
import { verifyBadgeToken, type TokenKind } from "./badge-token.js";

export interface AccessRequest {
  readonly store: Pick<Store, "getRepository">;
  /** "owner/name" as the URL spelled it; looked up case-insensitively. */
  readonly fullName: string;
  /** `PYLOT_BADGE_SECRET`; without it private repositories stay closed. */
  readonly secret: string | undefined;
  readonly kind: TokenKind;
  readonly token: string | undefined;
}

/**
 * The repository a page, artifact or listing belongs to, when the request may see it: a public
 * one always, a private one with its token of this kind. Undefined otherwise, the same for an
 * unknown repository, so answers tell nothing about which private repositories exist.
 */
export async function visibleRepository(
  request: AccessRequest,
): Promise<RepositoryRecord | undefined> {
  const repository = await request.store.getRepository(request.fullName);
  if (repository === undefined || !repository.private) return repository;
  const { secret, token, kind } = request;
  if (secret === undefined || token === undefined) return undefined;
  return verifyBadgeToken({ secret, repo: repository.fullName, kind, token })
    ? repository
    : undefined;
}

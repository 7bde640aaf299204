import type { Logger } from "pino";
import { z } from "zod";
import type { RepositoryRecord, Store } from "../engine/ports.js";

/**
 * Badges need to know whether a repository is private, and the deploy and default-branch
 * lookups need its installation and default branch. Every verified webhook says so; this keeps
 * the latest word in the store. Payloads are untrusted shapes: parsed here, field by field.
 */

const FullName = z.string().regex(/^[^/\s]{1,100}\/[^/\s]{1,100}$/);
const Repository = z.object({
  full_name: FullName,
  private: z.boolean(),
  default_branch: z.string().min(1).max(255).optional(),
});
const Listed = z.array(z.object({ full_name: FullName, private: z.boolean() }));
const Installation = z.object({ id: z.number().int().positive() });

function field<T extends z.ZodType>(
  payload: object,
  key: string,
  schema: T,
): z.output<T> | undefined {
  const parsed = schema.safeParse((payload as Record<string, unknown>)[key]);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The repositories a payload describes: its `repository`, and the lists that `installation`
 * and `installation_repositories` events carry (so badges work before the first push).
 */
export function repositoriesOf(payload: unknown, now: Date): RepositoryRecord[] {
  if (typeof payload !== "object" || payload === null) return [];
  const installationId = field(payload, "installation", Installation)?.id ?? null;
  const updatedAt = now.toISOString();
  const records: RepositoryRecord[] = [];
  const repository = field(payload, "repository", Repository);
  if (repository !== undefined)
    records.push({
      fullName: repository.full_name,
      private: repository.private,
      installationId,
      defaultBranch: repository.default_branch ?? null,
      updatedAt,
    });
  // An uninstalled app's list names repositories it no longer sees: nothing to learn there.
  const lists = field(payload, "action", z.string()) === "deleted" ? [] : ["repositories"];
  for (const key of [...lists, "repositories_added"]) {
    for (const listed of field(payload, key, Listed) ?? [])
      records.push({
        fullName: listed.full_name,
        private: listed.private,
        installationId,
        defaultBranch: null,
        updatedAt,
      });
  }
  return records;
}

export interface RepositoryRecorderOptions {
  readonly store: Pick<Store, "recordRepository">;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/**
 * Probot's `onAny` listener. Failing soft: a repository not recorded only delays its badges
 * until the next delivery, and must not fail the delivery itself.
 */
export function createRepositoryRecorder(
  options: RepositoryRecorderOptions,
): (event: { readonly id: string; readonly payload: unknown }) => Promise<void> {
  const now = options.now ?? (() => new Date());
  return async (event) => {
    for (const record of repositoriesOf(event.payload, now())) {
      try {
        await options.store.recordRepository(record);
      } catch (error: unknown) {
        options.logger.warn(
          { err: error, delivery: event.id, repo: record.fullName },
          "could not record repository",
        );
      }
    }
  };
}

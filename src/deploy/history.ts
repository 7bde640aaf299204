import { z } from "zod";
import type { DeploymentRecord, DeploymentState } from "./types.js";

/**
 * `inactive` counts as having succeeded: GitHub only inactivates deployments that reached
 * `success` (auto_inactive when a newer one succeeds), and Pylot only inactivates the one it
 * rolled back from, which was live.
 */
const SUCCEEDED: readonly DeploymentState[] = ["success", "inactive"];
const RUNNING: readonly DeploymentState[] = ["queued", "pending", "in_progress"];

export function hasSucceeded(record: DeploymentRecord): boolean {
  return SUCCEEDED.includes(record.state);
}

export function isRunning(record: DeploymentRecord): boolean {
  return RUNNING.includes(record.state);
}

function time(record: DeploymentRecord): number {
  const at = Date.parse(record.createdAt);
  return Number.isFinite(at) ? at : 0;
}

/** Newest first, whatever order the caller had: ids break ties (GitHub's grow monotonically). */
export function newestFirst(history: readonly DeploymentRecord[]): DeploymentRecord[] {
  return [...history].sort((a, b) => time(b) - time(a) || b.id - a.id);
}

/** The environment's deployments, newest first. */
export function historyOf(env: string, history: readonly DeploymentRecord[]): DeploymentRecord[] {
  return newestFirst(history.filter((record) => record.environment === env));
}

function isOlder(a: DeploymentRecord, b: DeploymentRecord): boolean {
  return time(a) < time(b) || (time(a) === time(b) && a.id < b.id);
}

/**
 * A predicate for deployments of commits someone rolled back from: they were judged bad, so
 * `/rollback` never picks them by itself and they do not satisfy `requires` (naming one with
 * `to <sha>` still works). Only deployments made before the rollback are condemned; the same
 * commit deployed again afterwards (say, once the infrastructure was fixed) counts again.
 */
export function condemnedBy(
  history: readonly DeploymentRecord[],
): (record: DeploymentRecord) => boolean {
  const byId = new Map(history.map((record) => [record.id, record]));
  const verdicts: { sha: string; rollback: DeploymentRecord }[] = [];
  for (const rollback of history) {
    if (rollback.rollbackFrom === undefined) continue;
    const from = byId.get(rollback.rollbackFrom);
    if (from !== undefined) verdicts.push({ sha: from.sha, rollback });
  }
  return (record) =>
    verdicts.some((verdict) => verdict.sha === record.sha && isOlder(record, verdict.rollback));
}

/** The `payload` Pylot gives a GitHub deployment; read back to rebuild history. */
export const DeploymentPayloadSchema = z.object({
  pylot: z.literal(1),
  actor: z.string().min(1).max(100),
  pr: z.number().int().positive().optional(),
  /** The command as Pylot understood it; none when Pylot deployed by itself. */
  command: z.string().max(300).optional(),
  /** Why Pylot deployed by itself: a green push to `branch`, or a failed health check. */
  trigger: z.enum(["auto", "auto-rollback"]).optional(),
  branch: z.string().max(255).optional(),
  rollbackFrom: z.number().int().positive().optional(),
  /** The build files the deploy job was handed, by content (issue 10). */
  artifacts: z
    .array(
      z.object({
        name: z.string().max(255),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        size: z.number().int().nonnegative(),
      }),
    )
    .max(100)
    .optional(),
  /** The image id of the commit's `build.docker` job. */
  image: z.string().max(100).optional(),
});
export type DeploymentPayload = z.infer<typeof DeploymentPayloadSchema>;

export function deploymentPayload(input: Omit<DeploymentPayload, "pylot">): DeploymentPayload {
  return { pylot: 1, ...input };
}

/** Another tool's deployment (or a malformed payload) yields undefined, not an error. */
export function readDeploymentPayload(value: unknown): DeploymentPayload | undefined {
  const parsed = DeploymentPayloadSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The first 7 characters, as GitHub shows commits. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

import { z } from "zod";
import { DEPLOYMENT_STATES, DEPLOY_TASKS } from "../deploy/types.js";
import type { DeploymentRecord, EnvLock } from "../deploy/types.js";
import type { DeployRun, OpenDeployRun, Store, TestApproval } from "../engine/ports.js";
import { ArtifactSchema } from "../pipeline/types.js";
import { StoreDataError } from "./errors.js";

/**
 * Rows of the ChatOps tables (migration 2), validated when read like every stored row. Both
 * adapters hand rows over in one shape: JSON as text, times as ISO strings; PostgreSQL's BIGINT
 * ids arrive as text, hence the coercion.
 */

/** The ChatOps methods of the Store port, for SqliteStore to delegate to. */
export type ChatOpsStore = Pick<
  Store,
  | "getLock"
  | "listLocks"
  | "acquireLock"
  | "releaseLock"
  | "saveDeployments"
  | "listDeployments"
  | "startDeployRun"
  | "getDeployRun"
  | "finishDeployRun"
  | "listOpenDeployRuns"
  | "claimDeployFinish"
  | "recordApproval"
  | "findApproval"
>;

type Params = Record<string, string | number | null>;

const id = z.coerce.number().int().positive();
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();

const LockRow = z.object({
  environment: z.string(),
  pull_request: z.number().int(),
  actor: z.string(),
  reason: nullable(z.string()),
  since: z.string(),
});

const DeploymentRow = z.object({
  id,
  environment: z.string(),
  sha: z.string(),
  state: z.enum(DEPLOYMENT_STATES),
  created_at: z.string(),
  creator: z.string(),
  task: z.string(),
  actor: nullable(z.string()),
  pull_request: nullable(z.number().int()),
  rollback_from: nullable(id),
});

const RecordSchema = z.object({
  id: z.number().int().positive(),
  sha: z.string(),
  environment: z.string(),
  createdAt: z.string(),
  state: z.enum(DEPLOYMENT_STATES),
  creator: z.string(),
  task: z.string(),
  actor: z.string().exactOptional(),
  pr: z.number().int().exactOptional(),
  rollbackFrom: z.number().int().exactOptional(),
});

const PlanSchema = z.object({
  env: z.string(),
  sha: z.string(),
  task: z.enum(DEPLOY_TASKS),
  productionEnvironment: z.boolean(),
  run: z.string(),
  pr: z.number().int().exactOptional(),
  requires: z.array(z.object({ env: z.string(), deploymentId: z.number().int() })),
  bypassedChecks: z.array(z.string()),
  rollback: z.object({ from: RecordSchema, to: RecordSchema }).exactOptional(),
  artifacts: z.array(ArtifactSchema).exactOptional(),
  image: z.string().exactOptional(),
});

const OriginSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("comment"), pr: z.number().int(), commentId: z.number().int() }),
  z.object({ kind: z.literal("push"), branch: z.string() }),
  z.object({
    kind: z.literal("health-check"),
    failedDeploymentId: z.number().int(),
    pr: z.number().int().exactOptional(),
  }),
]);

/** Runs stored before origins existed came from a comment, named by `pr` and `commentId`. */
function withOrigin(value: unknown): unknown {
  if (typeof value !== "object" || value === null || "origin" in value) return value;
  const { pr, commentId, ...rest } = value as Record<string, unknown>;
  return { ...rest, origin: { kind: "comment", pr, commentId } };
}

const RunSchema = z.preprocess(
  withOrigin,
  z.object({
    repo: z.string(),
    deploymentId: z.number().int().positive(),
    installationId: z.number().int(),
    origin: OriginSchema,
    actor: z.string(),
    plan: PlanSchema,
    environmentUrl: z.string().exactOptional(),
    health: z.object({ url: z.string(), timeout: z.number() }).exactOptional(),
    createdAt: z.string(),
  }),
);

const RunRow = z.object({
  repo: z.string(),
  deployment_id: id,
  run: z.string().transform((text, ctx): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      ctx.addIssue({ code: "custom", message: "is not valid JSON" });
      return z.NEVER;
    }
  }),
});

const ApprovalRow = z.object({
  repo: z.string(),
  pull_request: z.number().int(),
  sha: z.string(),
  actor: z.string(),
  approved_at: z.string(),
});

function parseRow<T extends z.ZodType>(
  table: string,
  schema: T,
  row: unknown,
  rowId?: string,
): z.output<T> {
  const parsed = schema.safeParse(row);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.join(".") || "(row)"} ${issue.message}`)
    .join("; ");
  throw new StoreDataError({ table, rowId, problems });
}

export function decodeLock(row: unknown): EnvLock {
  const r = parseRow("env_locks", LockRow, row);
  return {
    env: r.environment,
    pr: r.pull_request,
    actor: r.actor,
    ...(r.reason === null ? {} : { reason: r.reason }),
    since: r.since,
  };
}

export function encodeLock(repo: string, lock: EnvLock): Params {
  return {
    repo,
    environment: lock.env,
    pull_request: lock.pr,
    actor: lock.actor,
    reason: lock.reason ?? null,
    since: lock.since,
  };
}

export function decodeDeployment(row: unknown): DeploymentRecord {
  const r = parseRow("deployments", DeploymentRow, row);
  return {
    id: r.id,
    sha: r.sha,
    environment: r.environment,
    createdAt: r.created_at,
    state: r.state,
    creator: r.creator,
    task: r.task,
    ...(r.actor === null ? {} : { actor: r.actor }),
    ...(r.pull_request === null ? {} : { pr: r.pull_request }),
    ...(r.rollback_from === null ? {} : { rollbackFrom: r.rollback_from }),
  };
}

export function encodeDeployment(repo: string, record: DeploymentRecord): Params {
  return {
    repo,
    id: record.id,
    environment: record.environment,
    sha: record.sha,
    state: record.state,
    created_at: record.createdAt,
    creator: record.creator,
    task: record.task,
    actor: record.actor ?? null,
    pull_request: record.pr ?? null,
    rollback_from: record.rollbackFrom ?? null,
  };
}

export function decodeDeployRun(row: unknown): DeployRun {
  const r = parseRow("deploy_runs", RunRow, row);
  const run: DeployRun = parseRow("deploy_runs", RunSchema, r.run, String(r.deployment_id));
  return run;
}

/**
 * Who is finishing a run: kept beside the run in its JSON (`finishing`), so claiming needs no
 * column of its own; the run's schema drops it when the run is read.
 */
const ClaimSchema = z.object({
  finishing: z.object({ holder: z.string(), until: z.string() }),
});

const OpenRunRow = RunRow.extend({ pipeline_id: nullable(z.string()) });

export function decodeOpenDeployRun(row: unknown): OpenDeployRun {
  const r = parseRow("deploy_runs", OpenRunRow, row);
  const run: DeployRun = parseRow("deploy_runs", RunSchema, r.run, String(r.deployment_id));
  const claim = ClaimSchema.safeParse(r.run);
  return {
    run,
    ...(r.pipeline_id === null ? {} : { pipelineId: r.pipeline_id }),
    ...(claim.success ? { claimedUntil: claim.data.finishing.until } : {}),
  };
}

export function encodeDeployRun(run: DeployRun): Params {
  return {
    repo: run.repo,
    deployment_id: run.deploymentId,
    environment: run.plan.env,
    run: JSON.stringify(run),
    created_at: run.createdAt,
  };
}

export function decodeApproval(row: unknown): TestApproval {
  const r = parseRow("test_approvals", ApprovalRow, row);
  return {
    repo: r.repo,
    pr: r.pull_request,
    sha: r.sha,
    actor: r.actor,
    approvedAt: r.approved_at,
  };
}

export function encodeApproval(approval: TestApproval): Params {
  return {
    repo: approval.repo,
    pull_request: approval.pr,
    sha: approval.sha,
    actor: approval.actor,
    approved_at: approval.approvedAt,
  };
}

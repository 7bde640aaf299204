import type { DeployEnvironment } from "../config/schema.js";
import type { Artifact } from "../pipeline/types.js";
import type { BuildEvidence } from "./build-evidence.js";
import { checksVerdict, describeCheck, type ChecksVerdict } from "./checks.js";
import { condemnedBy, hasSucceeded, historyOf, isRunning, shortSha } from "./history.js";
import { describeLock, lockBlocks } from "./locks.js";
import type { CheckState, DeploymentRecord, DeployTask, EnvLock } from "./types.js";

export const GATE_REFUSALS = [
  "unknown-environment",
  "invalid-sha",
  "fork-pull-request",
  "deployment-in-progress",
  "locked",
  "checks-missing",
  "checks-pending",
  "checks-failing",
  "requires-not-met",
  "no-successful-build",
  "artifacts-expired",
] as const;
export type GateRefusal = (typeof GATE_REFUSALS)[number];

/** A deployment still running after this long is presumed dead and no longer blocks others. */
export const RUNNING_STALE_MS = 6 * 60 * 60 * 1000;

/** Everything the handler needs to create the GitHub deployment and the deploy job. */
export interface DeployPlan {
  readonly env: string;
  /** The exact commit to deploy: the PR head seen on acceptance, or the rollback target's. */
  readonly sha: string;
  readonly task: DeployTask;
  readonly productionEnvironment: boolean;
  /** From the default branch's config, never the PR's. */
  readonly run: string;
  /** The pull request deployed from; none for a branch's automatic deploy. */
  readonly pr?: number;
  /** Which deployment satisfied each `requires` entry. */
  readonly requires: readonly { readonly env: string; readonly deploymentId: number }[];
  /** Checks an admin's `--force` went past ("Pylot / lint (failure)"); empty when green. */
  readonly bypassedChecks: readonly string[];
  readonly rollback?: { readonly from: DeploymentRecord; readonly to: DeploymentRecord };
  /** The commit's kept build files the job gets; absent when the project builds none. */
  readonly artifacts?: readonly Artifact[];
  /** The image id its `build.docker` job recorded. */
  readonly image?: string;
}

export type GateResult =
  | { readonly ok: true; readonly plan: DeployPlan }
  | { readonly ok: false; readonly reason: GateRefusal; readonly message: string };

export interface DeployGateInput {
  readonly env: string;
  /** `deploy` of the default branch's config. */
  readonly config: Readonly<Record<string, DeployEnvironment>>;
  readonly headSha: string;
  /** Check runs on the head commit (non-Pylot and deploy checks are ignored). */
  readonly checks: readonly CheckState[];
  /** Deployment history of the repository, all environments. */
  readonly deployments: readonly DeploymentRecord[];
  /** The environment's lock now. */
  readonly lock?: EnvLock | undefined;
  /** The pull request asking; without one (a branch's automatic deploy) any lock refuses. */
  readonly pr?: number | undefined;
  /** Already authorised: only admins get here with `force`. Bypasses the checks gate only. */
  readonly force: boolean;
  /** The PR head lives in a fork: its code never runs with deploy secrets. */
  readonly fromFork?: boolean;
  /** A rollback chosen by `rollbackTarget`: deploys `target.sha`, skips checks and `requires`. */
  readonly rollback?: { readonly target: DeploymentRecord; readonly current: DeploymentRecord };
  /** ISO 8601; when given, deployments running longer than RUNNING_STALE_MS do not block. */
  readonly now?: string;
  /** What the commit's CI built (`findBuildEvidence`); absent: the project builds nothing. */
  readonly build?: BuildEvidence | undefined;
}

const PRODUCTION_WORDS = new Set(["prod", "production", "prd", "live"]);

/** `production`, `prod-eu`, `eu.live`: any word of the name is production-like. */
export function isProductionEnvironment(env: string): boolean {
  return env
    .toLowerCase()
    .split(/[._-]/)
    .some((word) => PRODUCTION_WORDS.has(word));
}

type Refusal = Extract<GateResult, { ok: false }>;
const refuse = (reason: GateRefusal, message: string): Refusal => ({ ok: false, reason, message });

/**
 * Decides whether a `/deploy` (or a chosen rollback) may go ahead, in a fixed order so the same
 * situation always gets the same answer: environment, commit, fork, running deployment, lock,
 * checks, requires, build. A project that builds deploys its commit's kept build, never a
 * rebuild, so a commit without one is refused (even with `--force`).
 */
export function deployGate(input: DeployGateInput): GateResult {
  const { env, pr, rollback } = input;
  const environment = input.config[env];
  if (environment === undefined) {
    return refuse(
      "unknown-environment",
      `${env} is not an environment of this repository's deploy config.`,
    );
  }
  const sha = rollback === undefined ? input.headSha : rollback.target.sha;
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) {
    return refuse("invalid-sha", `${sha.slice(0, 80)} is not a full commit SHA.`);
  }
  const refusal =
    runningOrLocked(input) ??
    (rollback === undefined ? prGates(input, environment, sha) : undefined) ??
    buildGate(input, sha);
  if (refusal !== undefined) return refusal;
  const built = input.build?.kind === "built" ? input.build : undefined;
  const verdict =
    rollback === undefined ? checksVerdict(input.checks) : ({ kind: "green" } as const);
  return {
    ok: true,
    plan: {
      env,
      sha,
      task: rollback === undefined ? "deploy" : "deploy:rollback",
      productionEnvironment: isProductionEnvironment(env),
      run: environment.run,
      ...(pr === undefined ? {} : { pr }),
      requires: rollback === undefined ? satisfiedBy(input, environment, sha).found : [],
      bypassedChecks: notGreen(verdict),
      ...(rollback === undefined
        ? {}
        : { rollback: { from: rollback.current, to: rollback.target } }),
      ...(built === undefined ? {} : { artifacts: built.artifacts }),
      ...(built?.image === undefined ? {} : { image: built.image }),
    },
  };
}

function buildGate(input: DeployGateInput, sha: string): Refusal | undefined {
  const { build } = input;
  switch (build?.kind) {
    case undefined:
    case "not-required":
    case "built":
      return undefined;
    case "no-build": {
      const next =
        input.rollback === undefined
          ? "build first: /retest."
          : `Pylot deploys only what CI built, so name another deployment: /rollback ${input.env} to <sha>.`;
      return refuse(
        "no-successful-build",
        `${shortSha(sha)} has no successful build (${build.why}): ${next}`,
      );
    }
    case "expired":
      return refuse(
        "artifacts-expired",
        `The artifacts of ${shortSha(sha)} expired (retention ${build.retentionDays} days). Pylot deploys only what CI built and kept: re-run its Pylot / build check run to build it again.`,
      );
  }
}

function runningOrLocked(input: DeployGateInput): Refusal | undefined {
  const now = input.now === undefined ? undefined : Date.parse(input.now);
  const running = historyOf(input.env, input.deployments).find(
    (record) =>
      isRunning(record) &&
      (now === undefined ||
        !Number.isFinite(now) ||
        now - Date.parse(record.createdAt) < RUNNING_STALE_MS),
  );
  if (running !== undefined) {
    return refuse(
      "deployment-in-progress",
      `Deployment ${running.id} of ${shortSha(running.sha)} to ${input.env} is still ${running.state.replace("_", " ")}; one deployment per environment at a time, so try again when it has finished.`,
    );
  }
  if (lockBlocks(input.lock, input.pr)) {
    return refuse(
      "locked",
      `${describeLock(input.lock)}. It can deploy once that pull request unlocks it, is merged or closed.`,
    );
  }
  return undefined;
}

function notGreen(verdict: ChecksVerdict): string[] {
  if (verdict.kind === "green") return [];
  if (verdict.kind === "missing") return ["no Pylot checks ran"];
  return [...verdict.failing, ...verdict.pending].map(describeCheck);
}

function prGates(
  input: DeployGateInput,
  environment: DeployEnvironment,
  sha: string,
): Refusal | undefined {
  if (input.fromFork === true) {
    return refuse(
      "fork-pull-request",
      "This pull request comes from a fork, and code from forks never runs with deploy secrets. Deploy it once it is merged or pushed to a branch of this repository.",
    );
  }
  const verdict = checksVerdict(input.checks);
  if (!input.force && verdict.kind === "missing") {
    return refuse(
      "checks-missing",
      `No Pylot checks have run on ${shortSha(sha)} yet; deploy once its pipeline is green.`,
    );
  }
  if (!input.force && verdict.kind === "not-green") {
    const reason = verdict.failing.length > 0 ? "checks-failing" : "checks-pending";
    const what = verdict.failing.length > 0 ? "are not green" : "are still running";
    return refuse(reason, `Checks on ${shortSha(sha)} ${what}: ${notGreen(verdict).join(", ")}.`);
  }
  const { missing } = satisfiedBy(input, environment, sha);
  if (missing.length > 0) {
    return refuse(
      "requires-not-met",
      `${input.env} requires ${shortSha(sha)} to be deployed successfully to ${missing.join(" and ")} first.`,
    );
  }
  return undefined;
}

function satisfiedBy(input: DeployGateInput, environment: DeployEnvironment, sha: string) {
  const condemned = condemnedBy(input.deployments);
  const found: { env: string; deploymentId: number }[] = [];
  const missing: string[] = [];
  for (const required of environment.requires) {
    const record = historyOf(required, input.deployments).find(
      (candidate) => candidate.sha === sha && hasSucceeded(candidate) && !condemned(candidate),
    );
    if (record === undefined) missing.push(required);
    else found.push({ env: required, deploymentId: record.id });
  }
  return { found, missing };
}

import type { DeployPlan } from "../deploy/gate.js";
import { formatSince } from "../deploy/locks.js";
import type { LockOutcome } from "../deploy/locks.js";
import type { DeploymentRecord } from "../deploy/types.js";
import type { CommandName } from "./commands.js";
import { renderHelp } from "./help.js";
import { code, commit, escapeText, link } from "./text.js";

/**
 * Replies to commands. Every piece of text that did not come from this file goes through
 * `escapeText` or `code`, so a lock reason or a message quoting a comment cannot ping anyone,
 * inject HTML or pose as a command.
 */

export function renderInvalid(
  parsed: { readonly command: CommandName; readonly reason: string },
  environments: Parameters<typeof renderHelp>[0],
): string {
  return `⚠️ \`/${parsed.command}\`: ${escapeText(parsed.reason)}\n\n${renderHelp(environments)}`;
}

/** Any refusal: authorisation, a gate, a rollback choice or a lock, with its exact reason. */
export function renderRefused(input: {
  readonly command: CommandName;
  readonly message: string;
}): string {
  return `🚫 \`/${input.command}\` refused: ${escapeText(input.message)}`;
}

const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;

function deployment(record: DeploymentRecord): string {
  return `${commit(record.sha)} (deployment ${record.id})`;
}

function planLines(plan: DeployPlan): string[] {
  const lines: string[] = [];
  if (plan.productionEnvironment) lines.push(`- ${code(plan.env)} is a production environment.`);
  for (const met of plan.requires) {
    lines.push(`- Requires ${code(met.env)}: deployed there as deployment ${met.deploymentId}.`);
  }
  if (plan.bypassedChecks.length > 0) {
    lines.push(`- ⚠️ Forced past: ${plan.bypassedChecks.map(escapeText).join(", ")}.`);
  }
  return [...lines, ...builtLines(plan)];
}

/** The build's files (name and first 12 hex of SHA-256) and image the job gets. */
function builtLines(plan: DeployPlan): string[] {
  const files = (plan.artifacts ?? []).map(
    (artifact) => `${code(artifact.name)} (\`${artifact.sha256.slice(0, 12)}\`)`,
  );
  const lines: string[] = [];
  const whose = plan.rollback === undefined ? "" : ` of ${commit(plan.sha)}, not rebuilt`;
  if (files.length > 0) lines.push(`- Artifacts${whose}: ${files.join(", ")}.`);
  const image = plan.image;
  if (image !== undefined)
    lines.push(
      `- Image: ${IMAGE_ID.test(image) ? `\`${image.slice(0, 19)}\`` : escapeText(image)}.`,
    );
  return lines;
}

function what(plan: DeployPlan): string {
  if (plan.rollback === undefined) return `${commit(plan.sha)} to ${code(plan.env)}`;
  const { from, to } = plan.rollback;
  return `${code(plan.env)} back from ${deployment(from)} to ${deployment(to)}`;
}

export interface AcceptedInput {
  readonly plan: DeployPlan;
  readonly deploymentId: number;
  /** Where the deploy log is shown (the `Pylot / deploy (<env>)` check run). */
  readonly logUrl?: string | undefined;
}

/** The command was accepted and the GitHub deployment created. */
export function renderDeployAccepted(input: AcceptedInput): string {
  const { plan } = input;
  const verb = plan.rollback === undefined ? "🚀 Deploying" : "⏪ Rolling";
  const log = link("log", input.logUrl);
  const head = `${verb} ${what(plan)}: deployment ${input.deploymentId}${log === "" ? "" : ` · ${log}`}.`;
  return [head, ...planLines(plan)].join("\n");
}

/** `--dry-run`: the gates passed; this is what would happen. */
export function renderDryRun(plan: DeployPlan): string {
  const longest = Math.max(2, ...[...plan.run.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = "`".repeat(longest + 1);
  return [
    `🧪 Dry run: every gate passed; this would deploy ${commit(plan.sha)} to ${code(plan.env)} (task \`${plan.task}\`) and run:`,
    "",
    `${fence}sh`,
    plan.run,
    fence,
    "",
    ...planLines(plan),
    "No deployment was created.",
  ].join("\n");
}

export interface FinishedInput {
  readonly plan: DeployPlan;
  readonly deploymentId: number;
  readonly state: "success" | "failure" | "error";
  readonly logUrl?: string | undefined;
  readonly environmentUrl?: string | undefined;
}

/** The deployment ended. */
export function renderDeployFinished(input: FinishedInput): string {
  const { plan } = input;
  const links = [link("log", input.logUrl), link(plan.env, input.environmentUrl)].filter(
    (text) => text !== "",
  );
  const tail = links.length === 0 ? "" : ` · ${links.join(" · ")}`;
  if (input.state !== "success") {
    const icon = input.state === "failure" ? "❌" : "💥";
    const verb = plan.rollback === undefined ? "Deploying" : "Rolling";
    return `${icon} ${verb} ${what(plan)} ended in ${input.state} (deployment ${input.deploymentId})${tail}.`;
  }
  if (plan.rollback !== undefined) {
    const { from, to } = plan.rollback;
    // A deployment that failed its health check stays `failure`: it never was the live one.
    const left = from.state === "success" ? `; deployment ${from.id} is now inactive` : "";
    return `⏪ ${code(plan.env)} went back from ${commit(from.sha)} to ${commit(to.sha)} (deployment ${input.deploymentId}${left})${tail}.`;
  }
  return `✅ Deployed ${commit(plan.sha)} to ${code(plan.env)} (deployment ${input.deploymentId})${tail}.`;
}

/** What Pylot did about a deployment whose health check failed. */
export type RollbackAfterHealth =
  | {
      readonly kind: "started";
      readonly to: DeploymentRecord;
      readonly deploymentId: number;
      readonly logUrl?: string | undefined;
    }
  | { readonly kind: "not-started"; readonly message: string }
  /** The unhealthy deployment was itself a rollback: no rollback of a rollback. */
  | { readonly kind: "not-tried" };

export interface UnhealthyInput {
  readonly plan: DeployPlan;
  readonly deploymentId: number;
  readonly url: string;
  /** "HTTP 500 after 4 attempts", "no answer within 30 s (1 attempt)". */
  readonly reason: string;
  readonly logUrl?: string | undefined;
  readonly rollback: RollbackAfterHealth;
}

/** The deploy command succeeded, the health check did not. */
export function renderUnhealthy(input: UnhealthyInput): string {
  const { plan, rollback } = input;
  const log = link("log", input.logUrl);
  const check = link("health check", input.url) || "health check";
  const head = `❌ ${plan.rollback === undefined ? "Deployed" : "Rolled"} ${what(plan)} (deployment ${input.deploymentId}), but its ${check} failed: ${escapeText(input.reason)}${log === "" ? "" : ` · ${log}`}. The deployment is marked failed.`;
  switch (rollback.kind) {
    case "started": {
      const rollbackLog = link("log", rollback.logUrl);
      return `${head}\n\n⏪ Rolling back by itself to ${deployment(rollback.to)}: deployment ${rollback.deploymentId}${rollbackLog === "" ? "" : ` · ${rollbackLog}`}.`;
    }
    case "not-started":
      return `${head}\n\nNot rolled back: ${escapeText(rollback.message)}`;
    case "not-tried":
      return `${head}\n\nThis was a rollback, so Pylot does not roll back again: ${code(plan.env)} needs a look.`;
  }
}

/** A decided `/lock` or `/unlock`, once the store applied it. */
export function renderLockOutcome(outcome: LockOutcome): string {
  switch (outcome.kind) {
    case "acquire": {
      const why = outcome.lock.reason === undefined ? "" : `: ${escapeText(outcome.lock.reason)}`;
      return `🔒 ${code(outcome.lock.env)} is locked for this pull request${why}. Others cannot deploy to it until \`/unlock ${outcome.lock.env}\`, a merge or a close.`;
    }
    case "already-held":
      return `🔒 ${code(outcome.lock.env)} is already locked for this pull request (since ${escapeText(formatSince(outcome.lock.since))}).`;
    case "release":
      if (!outcome.override) return `🔓 ${code(outcome.lock.env)} is unlocked.`;
      return `🔓 ${code(outcome.lock.env)} is unlocked: an admin released the lock of PR #${outcome.lock.pr}, held by ${code(outcome.lock.actor)} since ${escapeText(formatSince(outcome.lock.since))}.`;
    case "nothing-to-release":
      return `🔓 ${code(outcome.env)} was not locked; nothing to release.`;
    case "refused":
      return `🚫 ${escapeText(outcome.message)}`;
  }
}

/** `/ok-to-test` accepted: the approval is bound to this commit. */
export function renderOkToTest(sha: string): string {
  return `✅ Approved ${commit(sha)} for testing. A later push needs a new \`/ok-to-test\`.`;
}

/** `/retest` accepted. */
export function renderRetest(input: { readonly sha: string; readonly jobs: number }): string {
  if (input.jobs === 0) return `Nothing to run again: no job of ${commit(input.sha)} failed.`;
  const jobs = input.jobs === 1 ? "1 failed job" : `${input.jobs} failed jobs`;
  return `🔁 Running ${jobs} of ${commit(input.sha)} again.`;
}

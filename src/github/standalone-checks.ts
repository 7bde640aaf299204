import type { Logger } from "pino";
import type { ConfigError } from "../config/index.js";
import { CheckRunWriter } from "./check-run-writer.js";
import { CONFIG_NAME, SUMMARY_NAME, type DesiredCheck } from "./desired-checks.js";
import { capHead, cell, table } from "./markdown.js";
import type { ChecksPort, CheckRunAnnotation } from "./ports.js";

export interface CommitTarget {
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
}

function annotation(error: ConfigError): CheckRunAnnotation {
  return {
    path: error.file,
    start_line: error.line,
    end_line: error.line,
    start_column: error.column,
    end_column: error.column,
    annotation_level: "failure",
    title: error.key,
    message: error.message,
  };
}

/** The one failing `Pylot / config` check run of a commit whose config is broken. */
export function configCheck(
  target: CommitTarget,
  errors: readonly ConfigError[],
  annotate: boolean,
): DesiredCheck {
  const count = errors.length === 1 ? "1 problem" : `${errors.length} problems`;
  const rows = errors.map((e) => [`${e.line}:${e.column}`, `\`${cell(e.key)}\``, cell(e.message)]);
  const file = errors[0]?.file ?? ".github/pylot.yml";
  return {
    ref: { kind: "config", sha: target.sha },
    name: CONFIG_NAME,
    headSha: target.sha,
    status: "completed",
    conclusion: "failure",
    completedAt: new Date().toISOString(),
    title: `${count} in ${file}`,
    summary: capHead(
      `Pylot did not run: \`${cell(file)}\` is not valid. Nothing else runs until it is fixed.\n\n` +
        table(["Line", "Key", "Problem"], rows),
    ),
    ...(annotate ? { annotations: errors.map(annotation) } : {}),
  };
}

/** The `Pylot` check of a fork pull request: its code waits for a maintainer's approval. */
export function forkGateCheck(
  target: CommitTarget,
  pr: { readonly headRepo: string; readonly url: string },
): DesiredCheck {
  const sha7 = target.sha.slice(0, 7);
  return {
    ref: { kind: "gate", sha: target.sha },
    name: SUMMARY_NAME,
    headSha: target.sha,
    status: "completed",
    conclusion: "action_required",
    completedAt: new Date().toISOString(),
    // GitHub wants a details_url with action_required: the pull request is where to act.
    detailsUrl: pr.url,
    title: "Waiting for a maintainer to approve running this fork's code",
    summary:
      `This pull request comes from a fork (\`${cell(pr.headRepo)}\`), so Pylot does not run ` +
      `its code on its own. A maintainer with write access can comment \`/ok-to-test\` to run ` +
      `the pipeline on \`${sha7}\`; a later push needs a new approval.`,
  };
}

/** Writes one check run that belongs to no pipeline, and waits for it. */
export async function publishCheck(options: {
  readonly checks: ChecksPort;
  readonly target: CommitTarget;
  readonly desired: DesiredCheck;
  readonly logger: Logger;
}): Promise<void> {
  const writer = new CheckRunWriter({
    checks: () => Promise.resolve(options.checks),
    owner: options.target.owner,
    repo: options.target.repo,
    logger: options.logger,
  });
  writer.submit(options.desired);
  await writer.idle();
}

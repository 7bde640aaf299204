import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { WebhookDefinition } from "@octokit/webhooks-examples";

/** Webhook payloads from @octokit/webhooks-examples, and fixture tarballs, for app and e2e tests. */

/** A commit id for tests: "a1…" style, 40 hex digits. */
export function sha(seed: string): string {
  return seed.repeat(40).slice(0, 40);
}

type Example = Record<string, unknown> & { action?: string; installation?: unknown };

const examples = createRequire(import.meta.url)(
  "@octokit/webhooks-examples",
) as WebhookDefinition[];

/** A payload from @octokit/webhooks-examples, deep-copied so a test may adjust it. */
function example(name: string, pick: (e: Example) => boolean): Record<string, unknown> {
  const definition = examples.find((d) => d.name === name);
  const found = (definition?.examples as Example[] | undefined)?.find(pick);
  if (found === undefined) throw new Error(`no ${name} example matches`);
  return structuredClone(found);
}

export function pushPayload(commit: string, ref = "refs/heads/changes", deleted = false) {
  const payload = example(
    "push",
    (e) => e.installation !== undefined && e.ref === "refs/heads/master",
  );
  return { ...payload, ref, after: commit, deleted };
}

interface PullRequestShape {
  number: number;
  html_url: string;
  head: { sha: string; ref: string; repo: Record<string, unknown> & { full_name: string } };
}

export function pullRequestPayload(
  action: "opened" | "synchronize" | "reopened",
  commit: string,
  options: { fork?: boolean } = {},
) {
  const payload = example(
    "pull_request",
    (e) => e.action === action && e.installation !== undefined,
  );
  const pr = payload.pull_request as PullRequestShape;
  pr.head.sha = commit;
  if (options.fork === true) pr.head.repo = { ...pr.head.repo, full_name: "forker/Hello-World" };
  return payload;
}

export function checkSuitePayload(
  action: "requested" | "rerequested",
  commit: string,
  branch: string | null,
) {
  const payload = example("check_suite", (e) => e.action === action);
  const suite = payload.check_suite as Record<string, unknown>;
  Object.assign(suite, { head_sha: commit, head_branch: branch, pull_requests: [] });
  return payload;
}

export function checkRunPayload(
  action: "rerequested" | "requested_action",
  run: { externalId: string; sha: string; identifier?: string },
) {
  const payload = example("check_run", (e) => e.action === action);
  const base = example("check_suite", (e) => e.action === "rerequested");
  const checkRun = payload.check_run as Record<string, unknown>;
  Object.assign(checkRun, { external_id: run.externalId, head_sha: run.sha, pull_requests: [] });
  checkRun.check_suite = {
    ...(checkRun.check_suite as object),
    head_sha: run.sha,
    head_branch: "changes",
  };
  const requested =
    run.identifier === undefined ? {} : { requested_action: { identifier: run.identifier } };
  return { ...payload, ...requested, repository: base.repository, installation: base.installation };
}

const exec = promisify(execFile);
const tarballs = new Map<string, Promise<Buffer>>();

/** A fixture project as GitHub would serve its tarball (one top folder). */
export function tarballOf(project: string): Promise<Buffer> {
  let tarball = tarballs.get(project);
  if (tarball === undefined) {
    tarball = (async () => {
      const dir = await mkdtemp(join(tmpdir(), "pylot-tarball-"));
      const file = join(dir, `${project}.tar.gz`);
      const projects = resolve(import.meta.dirname, "../fixtures/projects");
      await exec("tar", ["-czf", file, "--exclude=__pycache__", "-C", projects, project]);
      const bytes = await readFile(file);
      await rm(dir, { recursive: true, force: true });
      return bytes;
    })();
    tarballs.set(project, tarball);
  }
  return tarball;
}

/** A `repository` event (`privatized`, `publicized`, …) of Codertocat/Hello-World. */
export function repositoryPayload(action: "privatized" | "publicized") {
  return example(
    "repository",
    (e) =>
      e.action === action &&
      (e.repository as { full_name?: string }).full_name === "Codertocat/Hello-World",
  );
}

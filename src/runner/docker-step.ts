import { readFile, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { RunOutcome } from "./process.js";
import { exec, failed, type StepContext, type StepOutcome } from "./step-context.js";

/** The report a docker job leaves: the image id `docker build --iidfile` wrote. */
export const IMAGE_REPORT = "image.iid";
export const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;

/** The runner's own Docker settings a job's `docker` commands need (its env is built anew). */
const DOCKER_VARS = ["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"];

export function dockerVars(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    DOCKER_VARS.flatMap((name) => {
      const value = env[name];
      return value === undefined || value === "" ? [] : [[name, value]];
    }),
  );
}

export type DockerPlan =
  | { readonly ok: true; readonly argv: readonly string[]; readonly iidfile: string }
  | { readonly ok: false; readonly message: string };

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * The `docker build` of a step, as an argument vector (no shell): the Dockerfile and context
 * resolved in the source folder, never outside it, and the image id written to the reports.
 */
export function planDockerBuild(input: {
  readonly src: string;
  readonly reports: string;
  readonly file: string;
  readonly context: string;
}): DockerPlan {
  const file = resolve(input.src, input.file);
  const context = resolve(input.src, input.context);
  if (!inside(input.src, file) || file === input.src)
    return {
      ok: false,
      message: `build.docker.file "${input.file}" is not a file of the repository`,
    };
  if (!inside(input.src, context))
    return {
      ok: false,
      message: `build.docker.context "${input.context}" is not a folder of the repository`,
    };
  const iidfile = join(input.reports, IMAGE_REPORT);
  return {
    ok: true,
    argv: ["docker", "build", "--iidfile", iidfile, "--file", file, context],
    iidfile,
  };
}

/** Why `docker info` says this runner cannot build images, for the job's summary. */
export function noEngineMessage(outcome: Exclude<RunOutcome, { kind: "stopped" }>): string {
  const why =
    outcome.kind === "not-started"
      ? "the docker command is not installed"
      : outcome.kind === "signalled"
        ? `docker info was killed by ${outcome.signal}`
        : `docker info failed with exit ${outcome.code}: no engine answers (see the log)`;
  return `this runner cannot build images: ${why}. Docker jobs need a runner labelled "docker" whose engine runs`;
}

/**
 * `build.docker`: checks the runner's engine with `docker info`, then `docker build --iidfile`;
 * the image id becomes the `image.iid` report (collected as the result's `image`).
 */
export async function runDockerStep(
  step: { readonly file: string; readonly context: string },
  ctx: StepContext,
): Promise<StepOutcome> {
  const plan = planDockerBuild({ src: ctx.paths.src, reports: ctx.paths.reports, ...step });
  if (!plan.ok) return failed(plan.message);
  const found = await stat(resolve(ctx.paths.src, step.file)).catch(() => undefined);
  if (found?.isFile() !== true)
    return failed(`build.docker.file "${step.file}" is not in the repository at this commit`);
  const vars = dockerVars(process.env);
  const info = await exec(ctx, ["docker", "info", "--format", "{{.ServerVersion}}"], { vars });
  if (info.outcome.kind === "stopped") return { kind: "stopped" };
  if (info.outcome.kind !== "exited" || info.outcome.code !== 0)
    return failed(noEngineMessage(info.outcome));
  const build = await exec(ctx, plan.argv, { vars });
  const { outcome } = build;
  if (outcome.kind === "stopped") return { kind: "stopped" };
  if (outcome.kind !== "exited" || outcome.code !== 0) {
    const code = outcome.kind === "exited" ? outcome.code : null;
    return failed(`docker build failed${code === null ? "" : ` (exit ${code})`}`, code);
  }
  const id = (await readFile(plan.iidfile, "utf8").catch(() => "")).trim();
  if (!IMAGE_ID.test(id)) return failed("docker build wrote no image id");
  return {
    kind: "done",
    conclusion: "success",
    exitCode: 0,
    summary: `built image ${id}`,
    reports: { [IMAGE_REPORT]: plan.iidfile },
  };
}

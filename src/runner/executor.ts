import { join } from "node:path";
import type { Logger } from "pino";
import type { DispatchRequest, JobExecutor } from "../engine/ports.js";
import type { JobResult } from "../pipeline/types.js";
import { collectReports, withReports } from "./collect-reports.js";
import { discoverInterpreters } from "./discover-interpreters.js";
import { pickInterpreter, type Interpreter } from "./interpreter-choice.js";
import { buildJobEnv, DEFAULT_SYSTEM_PATH } from "./job-env.js";
import { JobLog } from "./job-log.js";
import { formatDuration, JobProgress, stopSummary, type StopReason } from "./job-progress.js";
import { needsPip, planSteps, wantedModules, type PlannedStep } from "./job-steps.js";
import { runProcess } from "./process.js";
import { detectInstall } from "./install-plan.js";
import { readProjectFacts } from "./project.js";
import { createRedactor, type Redactor } from "./redact.js";
import { redactReports } from "./report-redaction.js";
import { materializeSource, type FetchSource } from "./source.js";
import { ModuleProbe, type StepContext } from "./step-context.js";
import { createStopper, type Stopper } from "./stopper.js";
import {
  jobPaths,
  prepareReports,
  prepareWorkspace,
  removeWorkspace,
  type JobPaths,
} from "./workspace.js";

export interface LocalExecutorOptions {
  /** Jobs run in `<workdir>/jobs/…`; reports are kept in `<workdir>/reports/…`. */
  readonly workdir: string;
  /** The PYLOT_PYTHONS value. */
  readonly pythons?: string | undefined;
  /** Where interpreter discovery reads PATH, HOME and PYENV_ROOT; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** Writes a GitHub source tarball to `dest`; without it, GitHub sources fail clearly. */
  readonly fetchSource?: FetchSource;
  /** Size of JobResult.logTail; default 64 KiB. */
  readonly logTailBytes?: number;
  /** Where job.log stops growing; default 64 MiB. */
  readonly logMaxBytes?: number;
  /** System folders on a job's PATH after its venv; default /usr/local/bin:/usr/bin:/bin. */
  readonly systemPath?: string;
  /** Between SIGTERM and SIGKILL when a job's processes are stopped; default 2 s. */
  readonly killGraceMs?: number;
  /** The host's own secrets (see hostSecrets), masked in every job's output as well. */
  readonly redact?: readonly string[];
}

interface Settings {
  readonly workdir: string;
  readonly logger: Logger;
  readonly fetchSource: FetchSource | undefined;
  readonly logTailBytes: number;
  readonly logMaxBytes: number;
  readonly systemPath: string;
  readonly killGraceMs: number;
  readonly redact: readonly string[];
  readonly interpreters: () => Promise<Interpreter[]>;
}

/** Runs jobs on this host: one fresh workspace, venv and process tree per job. */
export function createLocalExecutor(options: LocalExecutorOptions): JobExecutor {
  let discovered: Promise<Interpreter[]> | undefined;
  const settings: Settings = {
    workdir: options.workdir,
    logger: options.logger,
    fetchSource: options.fetchSource,
    logTailBytes: options.logTailBytes ?? 64 * 1024,
    logMaxBytes: options.logMaxBytes ?? 64 * 1024 * 1024,
    systemPath: options.systemPath ?? DEFAULT_SYSTEM_PATH,
    killGraceMs: options.killGraceMs ?? 2_000,
    redact: options.redact ?? [],
    interpreters: () =>
      (discovered ??= discoverInterpreters({
        pythons: options.pythons,
        logger: options.logger,
        ...(options.env === undefined ? {} : { env: options.env }),
      })),
  };
  return {
    execute: (request, { signal, onStart }) => executeJob({ request, signal, onStart, settings }),
  };
}

interface JobInput {
  readonly request: DispatchRequest;
  readonly signal: AbortSignal;
  readonly onStart: () => void;
  readonly settings: Settings;
}

/** One job's moving parts, shared by the phases below. */
interface Job extends JobInput {
  readonly paths: JobPaths;
  readonly log: JobLog;
  readonly redactor: Redactor;
  readonly stop: Stopper;
  readonly progress: JobProgress;
  readonly logger: Logger;
}

async function executeJob(input: JobInput): Promise<JobResult> {
  const { request, settings } = input;
  const paths = jobPaths({
    workdir: settings.workdir,
    jobId: request.jobId,
    attempt: request.attempt,
    pipelineId: request.pipelineId,
    jobKey: request.spec.key,
  });
  const progress = new JobProgress();
  const reportsReady = await prepareReports(paths).then(
    () => undefined,
    (error: unknown) => error,
  );
  const redactor = createRedactor([...Object.values(request.secrets), ...settings.redact]);
  const log = new JobLog({
    file: join(paths.reports, "job.log"),
    redactor,
    tailBytes: settings.logTailBytes,
    maxFileBytes: settings.logMaxBytes,
  });
  const job: Job = {
    ...input,
    paths,
    log,
    redactor,
    progress,
    stop: createStopper(input.signal, request.spec.timeoutMs),
    logger: settings.logger.child({ job: request.jobId, attempt: request.attempt }),
  };
  try {
    if (reportsReady !== undefined) return runnerFailure(job, reportsReady);
    return await withParsedReports(job, await runJob(job));
  } catch (error: unknown) {
    return runnerFailure(job, error);
  } finally {
    job.stop.dispose();
    await removeWorkspace(paths.root);
    await log.close();
  }
}

/** The job's report files parsed into its result: findings, tests, coverage, rejections. */
async function withParsedReports(job: Job, result: JobResult): Promise<JobResult> {
  const started = performance.now();
  const fields = await collectReports({ reports: result.reports, root: job.paths.src });
  const parsed = withReports(result, fields, job.request.spec.steps);
  const ms = Math.round(performance.now() - started);
  // Parser messages may quote a report that was not masked (coverage data): mask them too.
  return {
    ...parsed,
    summary: job.log.redact(parsed.summary),
    ...(parsed.rejected === undefined
      ? {}
      : { rejected: parsed.rejected.map((note) => job.log.redact(note)) }),
    timings: { ...parsed.timings, reports: (parsed.timings.reports ?? 0) + ms },
  };
}

/** A fault of the runner itself (a full disk, a bug): still a result, never a rejection. */
function runnerFailure(job: Job, error: unknown): JobResult {
  job.logger.error({ err: error }, "runner error");
  const reason = error instanceof Error ? error.message : String(error);
  return finish(job, "failure", `the runner failed: ${reason}`);
}

async function runJob(job: Job): Promise<JobResult> {
  const { request, progress, log } = job;
  log.line(
    `[pylot] job ${request.spec.name} (${request.jobId}, attempt ${request.attempt}) at ${request.sha}`,
  );
  const choice = pickInterpreter(await job.settings.interpreters(), request.spec.leg.python);
  if (!choice.ok) return skipAll(job, "failure", choice.message);
  const { interpreter } = choice;
  progress.interpreter = `${interpreter.full} at ${interpreter.path}`;
  log.line(`[pylot] Python ${progress.interpreter} (${interpreter.source})`);
  const stopped = job.stop.reason();
  if (stopped !== undefined)
    return skipAll(job, stopped, stopSummary(stopped, request.spec.timeoutMs, undefined));
  const prepared = performance.now();
  await prepareWorkspace(job.paths);
  const source = await materializeSource({
    source: request.source,
    dest: job.paths.src,
    scratch: job.paths.root,
    fetchSource: job.settings.fetchSource,
    log,
    signal: job.stop.signal,
    killGraceMs: job.settings.killGraceMs,
    env: { PATH: job.settings.systemPath, LANG: "C.UTF-8" },
  });
  progress.addTiming("workspace", performance.now() - prepared);
  if (!source.ok) {
    const reason = job.stop.reason();
    if (reason !== undefined)
      return skipAll(job, reason, stopSummary(reason, request.spec.timeoutMs, "source"));
    return skipAll(job, "failure", source.message);
  }
  return runSteps(job, interpreter);
}

async function runSteps(job: Job, interpreter: Interpreter): Promise<JobResult> {
  const { request, paths, log } = job;
  const facts = await readProjectFacts(paths.src);
  const install = request.spec.install ?? detectInstall(facts);
  const { env, dropped } = buildJobEnv({
    venv: paths.venv,
    home: paths.home,
    tmp: paths.tmp,
    systemPath: job.settings.systemPath,
    sha: request.sha,
    ref: request.ref,
    python: interpreter.version,
    job: request.spec.name,
    secrets: request.secrets,
  });
  for (const { name, reason } of dropped)
    log.line(`[pylot] secret ${name} not given to the job: ${reason}`);
  const modules = new ModuleProbe({
    python: paths.venvPython,
    wanted: wantedModules(request.spec.steps, facts),
    run: (argv) =>
      runProcess({
        argv,
        cwd: paths.src,
        env,
        log,
        signal: job.stop.signal,
        killGraceMs: job.settings.killGraceMs,
        capture: true,
      }),
  });
  const ctx: StepContext = {
    paths,
    env,
    log,
    signal: job.stop.signal,
    killGraceMs: job.settings.killGraceMs,
    interpreter,
    modules,
    ...(request.inputs === undefined ? {} : { inputs: request.inputs }),
  };
  const planned = planSteps({
    spec: request.spec,
    install,
    withPip: needsPip(install, request.spec.steps),
  });
  job.onStart();
  return runPlanned(job, ctx, planned);
}

async function runPlanned(
  job: Job,
  ctx: StepContext,
  planned: readonly PlannedStep[],
): Promise<JobResult> {
  const { progress, log } = job;
  for (const [index, step] of planned.entries()) {
    log.line(`==> ${step.name}`);
    const started = performance.now();
    const outcome = await step.run(ctx);
    const ms = performance.now() - started;
    const stopped = job.stop.reason() ?? (outcome.kind === "stopped" ? "cancelled" : undefined);
    if (outcome.kind === "stopped" || stopped !== undefined) {
      progress.steps.push({
        name: step.name,
        conclusion: stopped ?? "cancelled",
        exitCode: null,
        durationMs: ms,
      });
      progress.addTiming(step.phase, ms);
      const summary = stopSummary(stopped ?? "cancelled", job.request.spec.timeoutMs, step.name);
      return skipRest(job, planned.slice(index + 1), stopped ?? "cancelled", summary);
    }
    const reportsMs = outcome.reportsMs ?? 0;
    progress.addTiming(step.phase, ms - reportsMs);
    progress.addTiming("reports", reportsMs);
    progress.steps.push({
      name: step.name,
      conclusion: outcome.conclusion,
      exitCode: outcome.exitCode,
      durationMs: ms,
    });
    Object.assign(
      progress.reports,
      await redactReports({ reports: outcome.reports ?? {}, redactor: job.redactor, log }),
    );
    if (outcome.coverage !== undefined) progress.coverage = outcome.coverage;
    progress.artifacts.push(...(outcome.artifacts ?? []));
    log.line(`<== ${step.name}: ${outcome.summary} (${formatDuration(ms)})`);
    if (outcome.conclusion === "failure") {
      return skipRest(job, planned.slice(index + 1), "failure", outcome.summary);
    }
    if (step.phase === "steps") progress.passed.push(outcome.summary);
  }
  return finish(job, "success", progress.successSummary());
}

function skipRest(
  job: Job,
  rest: readonly PlannedStep[],
  conclusion: StopReason | "failure",
  summary: string,
): JobResult {
  for (const step of rest) job.progress.skip(step.name);
  return finish(job, conclusion, summary);
}

/** Ends a job before any step ran: its configured steps are reported as skipped. */
function skipAll(job: Job, conclusion: StopReason | "failure", summary: string): JobResult {
  for (const step of job.request.spec.steps) job.progress.skip(step.kind);
  return finish(job, conclusion, summary);
}

function finish(
  job: Job,
  conclusion: StopReason | "failure" | "success",
  summary: string,
): JobResult {
  job.log.line(`[pylot] ${conclusion}: ${summary}`);
  job.progress.reports["job.log"] = join(job.paths.reports, "job.log");
  const result = job.progress.finish({
    jobId: job.request.jobId,
    attempt: job.request.attempt,
    conclusion,
    summary: job.log.redact(summary),
    logTail: job.log.tail(),
  });
  // Summaries and step names quote config commands and error messages: mask them as the log is.
  return {
    ...result,
    steps: result.steps.map((step) => ({ ...step, name: job.log.redact(step.name) })),
  };
}

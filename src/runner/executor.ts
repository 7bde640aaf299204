import { join } from "node:path";
import type { Logger } from "pino";
import type { JobExecutor } from "../engine/ports.js";
import type { JobResult } from "../pipeline/types.js";
import { collectReports, withReports } from "./collect-reports.js";
import { discoverInterpreters } from "./discover-interpreters.js";
import { pickInterpreter, type Interpreter } from "./interpreter-choice.js";
import { buildJobEnv, DEFAULT_SYSTEM_PATH } from "./job-env.js";
import { JobLog } from "./job-log.js";
import { JobProgress, stopSummary } from "./job-progress.js";
import { needsPip, planSteps, wantedModules } from "./job-steps.js";
import {
  runnerFailure,
  runPlanned,
  skipAll,
  type Job,
  type JobInput,
  type Settings,
} from "./job-run.js";
import { runProcess, type Confine } from "./process.js";
import { detectInstall } from "./install-plan.js";
import { readProjectFacts } from "./project.js";
import { createRedactor } from "./redact.js";
import { materializeSource, type FetchSource } from "./source.js";
import { ModuleProbe, type StepContext } from "./step-context.js";
import type { Confinement } from "./confinement.js";
import { detectSandbox, type Sandbox } from "./sandbox.js";
import { DEFAULT_SANDBOX_SETTINGS, type SandboxSettings } from "./sandbox-settings.js";
import { createStopper } from "./stopper.js";
import { jobPaths, prepareReports, prepareWorkspace, removeWorkspace } from "./workspace.js";

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
  /** Isolation, runner uid and limits of jobs (readSandboxSettings); default: the defaults. */
  readonly sandbox?: SandboxSettings;
}

export interface LocalExecutor extends JobExecutor {
  /**
   * What this host allows jobs, found once (and logged) as the executor is made. Rejects with a
   * SandboxSettingError when PYLOT_RUNNER_UID cannot be honoured: await it at startup.
   */
  isolation(): Promise<Sandbox>;
}

/** Runs jobs on this host: one fresh workspace, venv and process tree per job. */
export function createLocalExecutor(options: LocalExecutorOptions): LocalExecutor {
  let discovered: Promise<Interpreter[]> | undefined;
  const sandbox = detectSandbox(options.sandbox ?? DEFAULT_SANDBOX_SETTINGS, options.logger);
  // Observed by isolation() at startup and by each job; never an unhandled rejection.
  sandbox.catch(() => undefined);
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
    sandbox,
  };
  return {
    execute: (request, { signal, onStart }) => executeJob({ request, signal, onStart, settings }),
    isolation: () => sandbox,
  };
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
  const leased = await settings.sandbox.then(
    (sandbox) => ({ ok: true as const, confinement: sandbox.lease(paths) }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const confinement = leased.ok ? leased.confinement : undefined;
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
    if (!leased.ok) return runnerFailure(job, leased.error);
    return await withParsedReports(job, await runJob(job, leased.confinement));
  } catch (error: unknown) {
    return runnerFailure(job, error);
  } finally {
    job.stop.dispose();
    await confinement?.release().catch((error: unknown) => {
      job.logger.error({ err: error }, "could not take the job's reports back from its uid");
    });
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

async function runJob(job: Job, confinement: Confinement): Promise<JobResult> {
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
  await confinement.prepare();
  return runSteps(job, interpreter, confinement);
}

async function runSteps(
  job: Job,
  interpreter: Interpreter,
  confinement: Confinement,
): Promise<JobResult> {
  const confine: Confine = confinement;
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
        confine,
        capture: true,
      }),
  });
  const ctx: StepContext = {
    paths,
    env,
    log,
    signal: job.stop.signal,
    killGraceMs: job.settings.killGraceMs,
    confine,
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
  return runPlanned(job, ctx, planned, confinement);
}

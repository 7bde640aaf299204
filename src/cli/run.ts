import { execFile } from "node:child_process";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Logger } from "pino";
import { formatConfigErrors, loadProjectConfig, ProjectDirError } from "../config/index.js";
import { createLocalDispatcher } from "../dispatch/local.js";
import { Engine } from "../engine/index.js";
import type { PipelineView } from "../engine/ports.js";
import { plan } from "../pipeline/index.js";
import {
  createLocalExecutor,
  defaultInterpreter,
  discoverInterpreters,
  readSandboxSettings,
  SandboxSettingError,
  type SandboxSettings,
} from "../runner/index.js";
import { openStore } from "../store/index.js";
import { renderJson, renderSummary } from "./summary.js";
import { createTerminalReporter } from "./terminal-reporter.js";

export interface RunCommandOptions {
  readonly dir: string;
  readonly json: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly out: NodeJS.WriteStream | NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly logger: Logger;
  /** Aborted on Ctrl-C: the pipeline is cancelled and its processes killed. */
  readonly signal?: AbortSignal;
}

const run = promisify(execFile);

/** The commit and branch of a git checkout, or "local" for a plain folder. */
async function gitFacts(dir: string): Promise<{ sha: string; ref: string }> {
  const git = async (...args: string[]) =>
    (await run("git", ["-C", dir, ...args], { timeout: 5000 })).stdout.trim();
  try {
    const sha = await git("rev-parse", "HEAD");
    const branch = await git("rev-parse", "--abbrev-ref", "HEAD").catch(() => "HEAD");
    return { sha, ref: branch === "HEAD" ? sha : `refs/heads/${branch}` };
  } catch {
    return { sha: "local", ref: "local" };
  }
}

export function positiveInt(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/** The PYLOT_JOB_* / PYLOT_RUNNER_* settings, or undefined once a bad one was explained. */
function sandboxSettings(options: RunCommandOptions): SandboxSettings | undefined {
  try {
    return readSandboxSettings(options.env);
  } catch (error: unknown) {
    if (!(error instanceof SandboxSettingError)) throw error;
    options.err.write(`${error.message}\n`);
    return undefined;
  }
}

/** `pylot run [dir]`: the whole pipeline of a folder on this machine. Returns the exit code. */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  const dir = path.resolve(options.dir);
  const loaded = await loadProjectConfig(dir).catch((error: unknown) => {
    if (error instanceof ProjectDirError)
      return { kind: "not-python" as const, message: error.message };
    throw error;
  });
  if (loaded.kind === "not-python") {
    options.err.write(`${loaded.message}\n`);
    return 2;
  }
  if (loaded.kind === "invalid") {
    options.err.write(`${formatConfigErrors(loaded.errors)}\n`);
    return 2;
  }
  const interpreters = await discoverInterpreters({ pythons: options.env.PYLOT_PYTHONS });
  const fallback = defaultInterpreter(interpreters);
  if (fallback === undefined) {
    options.err.write("no Python interpreter found on this machine (set PYLOT_PYTHONS)\n");
    return 2;
  }
  const sandbox = sandboxSettings(options);
  if (sandbox === undefined) return 2;
  const pipeline = plan(loaded.config, { defaultPython: fallback.version });
  for (const warning of pipeline.warnings) options.err.write(`warning: ${warning}\n`);

  const store = await openStore({ url: "sqlite::memory:", logger: options.logger });
  const tty = !options.json && "isTTY" in options.out && options.out.isTTY;
  const reporter = createTerminalReporter({ out: options.json ? options.err : options.out, tty });
  const engine = new Engine({ store, reporterFor: () => reporter, logger: options.logger });
  const workdir = options.env.PYLOT_WORKDIR ?? path.join(tmpdir(), "pylot");
  const executor = createLocalExecutor({
    workdir,
    logger: options.logger,
    sandbox,
    ...(options.env.PYLOT_PYTHONS === undefined ? {} : { pythons: options.env.PYLOT_PYTHONS }),
  });
  const dispatcher = createLocalDispatcher({
    executor,
    concurrency: positiveInt(options.env.PYLOT_CONCURRENCY, availableParallelism()),
    events: engine,
    logger: options.logger,
  });
  engine.attach(dispatcher);

  const facts = await gitFacts(dir);
  const started = await engine.start({
    trigger: { source: "cli", event: "local", ...facts },
    plan: pipeline,
    source: { kind: "dir", path: dir },
  });
  const onAbort = () => void engine.cancelPipeline(started.pipeline.id, "interrupted");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  let view: PipelineView;
  try {
    view = await engine.waitForPipeline(started.pipeline.id);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    reporter.stop();
    await dispatcher.close();
    await store.close();
  }
  const rendered = options.json ? renderJson(view) : renderSummary(view, { color: tty });
  options.out.write(`${rendered}\n`);
  return view.pipeline.conclusion === "success" ? 0 : 1;
}

import { z } from "zod";
import type { JobInputs } from "../engine/ports.js";
import type { Artifact } from "../pipeline/types.js";
import type { Interpreter } from "./interpreter-choice.js";
import type { JobLog } from "./job-log.js";
import { runProcess, type Confine, type RunResult } from "./process.js";
import { parseJson } from "./read-capped.js";
import type { JobPaths } from "./workspace.js";

/** What every step of a job runs with. */
export interface StepContext {
  readonly paths: JobPaths;
  readonly env: Readonly<Record<string, string>>;
  readonly log: JobLog;
  readonly signal: AbortSignal;
  readonly killGraceMs: number;
  /** How the job's commands are confined (namespace, limits, uid). */
  readonly confine: Confine;
  readonly interpreter: Interpreter;
  readonly modules: ModuleProbe;
  /** What the jobs this one needs produced (the build's wheel). */
  readonly inputs?: JobInputs;
}

export type StepOutcome =
  | {
      readonly kind: "done";
      readonly conclusion: "success" | "failure";
      readonly exitCode: number | null;
      readonly summary: string;
      /** Report name → absolute path. */
      readonly reports?: Readonly<Record<string, string>>;
      readonly coverage?: number;
      /** Built files, recorded by content. */
      readonly artifacts?: readonly Artifact[];
      /** Time spent turning raw data into reports (coverage xml/json). */
      readonly reportsMs?: number;
    }
  /** The job's timeout or cancellation stopped the step. */
  | { readonly kind: "stopped" };

export function failed(summary: string, exitCode: number | null = null): StepOutcome {
  return { kind: "done", conclusion: "failure", exitCode, summary };
}

export interface ExecOptions {
  /** Variables added for this command. */
  readonly vars?: Readonly<Record<string, string>>;
  /** What the log shows instead of the argv (the config command of `sh -c`). */
  readonly display?: string;
  readonly stdoutFile?: string;
  readonly capture?: boolean;
  /** Keep the command line out of the log (probes). */
  readonly quiet?: boolean;
}

/** Runs a command of the job in its source folder, logging the command line first. */
export function exec(
  ctx: StepContext,
  argv: readonly string[],
  options: ExecOptions = {},
): Promise<RunResult> {
  if (options.quiet !== true) ctx.log.line(`$ ${options.display ?? displayArgv(argv)}`);
  return runProcess({
    argv,
    cwd: ctx.paths.src,
    env: options.vars === undefined ? ctx.env : { ...ctx.env, ...options.vars },
    log: ctx.log,
    signal: ctx.signal,
    killGraceMs: ctx.killGraceMs,
    confine: ctx.confine,
    ...(options.stdoutFile === undefined ? {} : { stdoutFile: options.stdoutFile }),
    ...(options.capture === undefined ? {} : { capture: options.capture }),
  });
}

/** Quotes what a shell would split, so a logged command can be pasted back. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function displayArgv(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

const PROBE_SCRIPT = `
import importlib.util, json, sys
try:
    from importlib import metadata
except ImportError:
    metadata = None
found = {}
for name in sys.argv[1:]:
    try:
        spec = importlib.util.find_spec(name)
    except Exception:
        spec = None
    version = ""
    if spec is not None and metadata is not None and "." not in name:
        try:
            version = metadata.version(name)
        except Exception:
            pass
    found[name] = None if spec is None else version
print(json.dumps(found))
`;

const ProbeOutput = z.record(z.string(), z.string().nullable());

/**
 * Which modules the job's venv can import (and their versions), asked in one run of the venv's
 * interpreter for all the names the job's steps need.
 */
export class ModuleProbe {
  readonly #known = new Map<string, string | null>();
  readonly #wanted: readonly string[];
  readonly #run: (argv: readonly string[]) => Promise<RunResult>;

  /** `run` runs a command with the job's environment and captures its stdout. */
  constructor(options: {
    readonly python: string;
    readonly wanted: readonly string[];
    readonly run: (argv: readonly string[]) => Promise<RunResult>;
  }) {
    this.#wanted = options.wanted;
    this.#run = (names) => options.run([options.python, "-I", "-c", PROBE_SCRIPT, ...names]);
  }

  /** The module's version ("" when unknown), or null when it is not importable. */
  async version(name: string): Promise<string | null> {
    if (!this.#known.has(name)) await this.#probe([...new Set([name, ...this.#wanted])]);
    return this.#known.get(name) ?? null;
  }

  async #probe(names: readonly string[]): Promise<void> {
    const missing = names.filter((name) => !this.#known.has(name));
    const run = await this.#run(missing);
    const parsed = ProbeOutput.safeParse(parseJson(run.stdout.trim()));
    for (const name of missing) {
      this.#known.set(name, parsed.success ? (parsed.data[name] ?? null) : null);
    }
  }
}

import { spawn, type ChildProcessByStdio } from "node:child_process";
import { constants, createWriteStream, rmSync, type WriteStream } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve as resolvePath } from "node:path";
import type { Readable } from "node:stream";
import type { JobLog, LogSink } from "./job-log.js";

export type RunOutcome =
  | { readonly kind: "exited"; readonly code: number }
  | { readonly kind: "signalled"; readonly signal: string }
  | { readonly kind: "not-started"; readonly message: string }
  /** The job's signal fired (timeout or cancel); the process group was killed. */
  | { readonly kind: "stopped" };

export interface RunOptions {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly log: JobLog;
  readonly signal: AbortSignal;
  /** Between SIGTERM and SIGKILL. */
  readonly killGraceMs: number;
  /** Also copies stdout into this file (a tool's report); it still reaches the log. */
  readonly stdoutFile?: string;
  /** Keeps stdout out of the log and returns it (capped): for probes. */
  readonly capture?: boolean;
  /** Most bytes of stdout kept by `capture`; default 1 MiB. */
  readonly captureLimit?: number;
  /** Runs the command confined (a job's command); without it, as the runner itself. */
  readonly confine?: Confine;
}

/** How a job's command is confined: see Confinement. */
export interface Confine {
  /** The argv that runs `argv` (its command an absolute path) confined. */
  wrap(argv: readonly string[]): readonly string[];
  /** Called once the command and its pipes are done, before the result is returned. */
  settle(): Promise<void>;
}

export interface RunResult {
  readonly outcome: RunOutcome;
  /** Captured stdout when `capture` was set. */
  readonly stdout: string;
}

const CAPTURE_LIMIT = 1024 * 1024;

/**
 * Runs one command in its own process group. When the leader exits, the rest of its group
 * (background children it left behind) is terminated too, so nothing outlives the step; when
 * the signal fires, the whole group gets SIGTERM, then SIGKILL after the grace period.
 */
export async function runProcess(options: RunOptions): Promise<RunResult> {
  if (options.signal.aborted) return { outcome: { kind: "stopped" }, stdout: "" };
  const { confine } = options;
  if (confine === undefined) return spawnGroup(options.argv, options);
  const [command, ...args] = options.argv;
  if (command === undefined) throw new Error("runProcess needs a command");
  const path = await resolveCommand(command, options);
  if (path === undefined)
    return { outcome: { kind: "not-started", message: `spawn ${command} ENOENT` }, stdout: "" };
  const result = await spawnGroup(confine.wrap([path, ...args]), options);
  await confine.settle();
  return result;
}

/**
 * The executable `command` names, looked up on the PATH of the command's own environment as
 * spawn would: a wrapper (unshare, setpriv) would otherwise report a missing command as its
 * own failure rather than as a command that could not start.
 */
async function resolveCommand(command: string, options: RunOptions): Promise<string | undefined> {
  if (command.includes("/"))
    return isAbsolute(command) ? command : resolvePath(options.cwd, command);
  for (const dir of (options.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const path = resolvePath(options.cwd, join(dir, command));
    const executable = await access(path, constants.X_OK).then(
      async () => (await stat(path)).isFile(),
      () => false,
    );
    if (executable) return path;
  }
  return undefined;
}

function spawnGroup(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error("runProcess needs a command");
  return new Promise((resolve) => {
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error: unknown) {
      // Arguments Node refuses outright, such as a config command with a NUL byte.
      const message = error instanceof Error ? error.message : String(error);
      resolve({ outcome: { kind: "not-started", message }, stdout: "" });
      return;
    }
    new GroupRun(child, options, resolve).start();
  });
}

/** The bookkeeping of one running process group, from spawn to the last closed pipe. */
class GroupRun {
  readonly #child: ChildProcessByStdio<null, Readable, Readable>;
  readonly #options: RunOptions;
  readonly #resolve: (result: RunResult) => void;
  readonly #stdout: LogSink | undefined;
  readonly #stderr: LogSink;
  readonly #report: WriteStream | undefined;
  readonly #captured: Buffer[] = [];
  #capturedBytes = 0;
  readonly #timers: NodeJS.Timeout[] = [];
  #stopped = false;
  #terminating = false;
  #exit: RunOutcome | undefined;
  #settled = false;

  constructor(
    child: ChildProcessByStdio<null, Readable, Readable>,
    options: RunOptions,
    resolve: (result: RunResult) => void,
  ) {
    this.#child = child;
    this.#options = options;
    this.#resolve = resolve;
    this.#stdout = options.capture === true ? undefined : options.log.sink();
    this.#stderr = options.log.sink();
    this.#report = openReport(options.stdoutFile);
  }

  start(): void {
    const child = this.#child;
    child.stdout.on("data", (chunk: Buffer) => {
      this.#onStdout(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      this.#stderr.write(chunk);
    });
    child.on("error", (error) => {
      this.#finish({ kind: "not-started", message: error.message });
    });
    child.on("exit", (code, signal) => {
      this.#exit =
        code === null ? { kind: "signalled", signal: signal ?? "" } : { kind: "exited", code };
      this.#terminate();
    });
    child.on("close", () => {
      this.#finish(this.#exit ?? { kind: "signalled", signal: "" });
    });
    this.#options.signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  readonly #onAbort = (): void => {
    this.#stopped = true;
    this.#terminate();
  };

  #onStdout(chunk: Buffer): void {
    this.#report?.write(chunk);
    if (this.#options.capture !== true) {
      this.#stdout?.write(chunk);
      return;
    }
    if (this.#capturedBytes < (this.#options.captureLimit ?? CAPTURE_LIMIT))
      this.#captured.push(chunk);
    this.#capturedBytes += chunk.length;
  }

  /** SIGTERM to the group, SIGKILL after the grace period, then stop waiting for the pipes. */
  #terminate(): void {
    const pid = this.#child.pid;
    if (pid === undefined || this.#terminating) return;
    this.#terminating = true;
    signalGroup(pid, "SIGTERM");
    const grace = this.#options.killGraceMs;
    this.#timers.push(
      setTimeout(() => {
        signalGroup(pid, "SIGKILL");
        // A process that left our group (setsid) may still hold the pipes: stop waiting.
        this.#timers.push(setTimeout(this.#forceClose, grace));
      }, grace),
    );
  }

  readonly #forceClose = (): void => {
    this.#child.stdout.destroy();
    this.#child.stderr.destroy();
    this.#finish(this.#exit ?? { kind: "signalled", signal: "SIGKILL" });
  };

  #finish(outcome: RunOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#timers.forEach(clearTimeout);
    this.#options.signal.removeEventListener("abort", this.#onAbort);
    this.#stdout?.end();
    this.#stderr.end();
    const stdout = Buffer.concat(this.#captured).toString("utf8");
    const result: RunResult = { outcome: this.#stopped ? { kind: "stopped" } : outcome, stdout };
    void closeReport(this.#report).then(() => {
      this.#resolve(result);
    });
  }
}

/** Signals a process group; false when no process of the group is left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * A report file written fresh: the job's uid may own the folder, and a symlink it planted at
 * this name must not send the runner's write elsewhere (O_EXCL never follows one).
 */
function openReport(path: string | undefined): WriteStream | undefined {
  if (path === undefined) return undefined;
  try {
    rmSync(path, { force: true });
  } catch {
    // A folder by that name: the exclusive open below fails and the report is missing.
  }
  const stream = createWriteStream(path, { flags: "wx", mode: 0o640 });
  stream.on("error", () => undefined);
  return stream;
}

function closeReport(stream: WriteStream | undefined): Promise<void> {
  if (stream === undefined || stream.destroyed) return Promise.resolve();
  return new Promise((done) => {
    stream.end(() => {
      done();
    });
  });
}

import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

export interface ChildRun {
  /** null when killed by a signal (or by our timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, in ms. */
  readonly ms: number;
  readonly timedOut: boolean;
}

export interface ChildOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The child (and its process group) is killed after this. */
  readonly timeoutMs: number;
}

const OUTPUT_CAP = 16 * 1024 * 1024;

/** Keeps at most OUTPUT_CAP characters of a stream, the latest ones. */
function collector(): { add: (chunk: Buffer) => void; text: () => string } {
  let text = "";
  return {
    add: (chunk) => {
      text += chunk.toString("utf8");
      if (text.length > OUTPUT_CAP) text = text.slice(-OUTPUT_CAP);
    },
    text: () => text,
  };
}

/**
 * Runs a command to its end (bounded by a timeout) and captures its output. It runs in its own
 * process group so that a timeout stops the tools it started too.
 */
export function runChild(argv: readonly string[], options: ChildOptions): Promise<ChildRun> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.reject(new Error("empty command"));
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const out = collector();
    const err = collector();
    child.stdout.on("data", out.add);
    child.stderr.on("data", err.add);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid);
    }, options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: out.text(),
        stderr: err.text(),
        ms: performance.now() - started,
        timedOut,
      });
    });
  });
}

/** Sends SIGKILL to the process group we started (pid = group id, as spawned detached). */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Polls `check` every `intervalMs` until it returns true or `timeoutMs` passed; true when met. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  options: { readonly timeoutMs: number; readonly intervalMs: number },
): Promise<boolean> {
  const deadline = performance.now() + options.timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return true;
    await sleep(options.intervalMs);
  }
  return check();
}

/** The last lines of a text, for error messages. */
export function tail(text: string, lines = 15): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** The environment children get: only what tools need to find themselves, never the caller's. */
export function baseEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const pick = (name: string) => {
    const value = process.env[name];
    return value === undefined ? {} : { [name]: value };
  };
  return { ...pick("PATH"), ...pick("HOME"), ...pick("PYENV_ROOT"), LANG: "C.UTF-8", ...extra };
}

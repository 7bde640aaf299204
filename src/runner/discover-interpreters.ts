import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, readdir, realpath } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import type { Logger } from "pino";
import {
  compareVersions,
  minorOf,
  parsePythonsSetting,
  INTERPRETER_SOURCES,
  type Interpreter,
  type InterpreterSource,
} from "./interpreter-choice.js";

export interface DiscoverOptions {
  /** The `PYLOT_PYTHONS` value. */
  readonly pythons?: string | undefined;
  /** Where PATH, HOME, PYENV_ROOT and the uv directories come from; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
  /** How long one interpreter may take to print its version. */
  readonly probeTimeoutMs?: number;
}

interface Candidate {
  readonly path: string;
  readonly source: InterpreterSource;
  readonly declared?: string | undefined;
  /** This candidate is what `python3` on PATH runs. */
  readonly python3OnPath: boolean;
}

const PATH_NAME = /^python3(\.\d+)?$/;
const VERSION_SCRIPT = "import sys; print('%d.%d.%d' % sys.version_info[:3])";

/**
 * Finds the Python interpreters of this host, first per minor version in the order
 * PYLOT_PYTHONS, PATH, pyenv, uv. Every candidate is run once to read its real version, so a
 * broken or foreign binary is skipped rather than trusted. Never throws for a bad candidate.
 */
export async function discoverInterpreters(options: DiscoverOptions = {}): Promise<Interpreter[]> {
  const env = options.env ?? process.env;
  const candidates = [
    ...pythonsCandidates(options),
    ...(await pathCandidates(env)),
    ...(await installCandidates(pyenvRoot(env), "versions", "bin/python", "pyenv")),
    ...(await installCandidates(uvRoot(env), "", "bin/python3", "uv")),
  ];
  const verified = (await probeAll(candidates, options)).filter(({ candidate, full }) => {
    if (candidate.declared === undefined || candidate.declared === minorOf(full)) return true;
    options.logger?.warn(
      { path: candidate.path, declared: candidate.declared, actual: full },
      "PYLOT_PYTHONS entry skipped: the interpreter reports another version",
    );
    return false;
  });
  return choose(verified).sort((a, b) => compareVersions(a.full, b.full));
}

interface Verified {
  readonly candidate: Candidate;
  readonly full: string;
}

/** Runs each distinct binary once (python3 and python3.11 are often one file). */
async function probeAll(candidates: readonly Candidate[], options: DiscoverOptions) {
  const probes = new Map<string, Promise<string | undefined>>();
  const results = await Promise.all(
    candidates.map(async (candidate): Promise<Verified | undefined> => {
      const real = await realpath(candidate.path).catch(() => undefined);
      if (real === undefined) return undefined;
      let probe = probes.get(real);
      if (probe === undefined) {
        probe = probeVersion(candidate.path, options);
        probes.set(real, probe);
      }
      const full = await probe;
      return full === undefined || !full.startsWith("3.") ? undefined : { candidate, full };
    }),
  );
  return results.filter((result) => result !== undefined);
}

/** The first interpreter per minor version, by source precedence. */
function choose(verified: readonly Verified[]): Interpreter[] {
  const found: Interpreter[] = [];
  for (const source of INTERPRETER_SOURCES) {
    const list = verified.filter(({ candidate }) => candidate.source === source);
    // Installs under one root are unordered folders: prefer the newest patch release.
    if (source === "pyenv" || source === "uv") list.sort((a, b) => compareVersions(b.full, a.full));
    for (const { candidate, full } of list) {
      const version = minorOf(full);
      const index = found.findIndex((interpreter) => interpreter.version === version);
      const winner = found[index];
      if (winner === undefined) {
        const mark = candidate.python3OnPath ? { python3OnPath: true } : {};
        found.push({ version, full, path: candidate.path, source, ...mark });
      } else if (candidate.python3OnPath) {
        // `python3` on PATH names the default version even when another entry provides it.
        found[index] = { ...winner, python3OnPath: true };
      }
    }
  }
  return found;
}

function pythonsCandidates(options: DiscoverOptions): Candidate[] {
  const setting = parsePythonsSetting(options.pythons);
  if (!setting.ok) {
    options.logger?.warn({ message: setting.message }, "PYLOT_PYTHONS ignored");
    return [];
  }
  return setting.entries.map((entry) => ({
    path: entry.path,
    source: "PYLOT_PYTHONS",
    declared: entry.version,
    python3OnPath: false,
  }));
}

/** A pyenv shim runs whatever `pyenv global` says, and fails when that is unset. */
function isShimDir(dir: string, env: NodeJS.ProcessEnv): boolean {
  if (dir === join(pyenvRoot(env), "shims")) return true;
  return basename(dir) === "shims" && dir.includes("pyenv");
}

async function pathCandidates(env: NodeJS.ProcessEnv): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  let sawPython3 = false;
  for (const dir of (env.PATH ?? "").split(":")) {
    if (!dir.startsWith("/") || isShimDir(dir, env)) continue;
    const names = (await listDir(dir)).filter((name) => PATH_NAME.test(name));
    // Versioned names first, so an interpreter is named python3.11 rather than python3.
    names.sort((a, b) => b.length - a.length || a.localeCompare(b));
    for (const name of names) {
      const path = join(dir, name);
      if (!(await isExecutable(path))) continue;
      const isDefault = name === "python3" && !sawPython3;
      if (name === "python3") sawPython3 = true;
      candidates.push({ path, source: "PATH", python3OnPath: isDefault });
    }
  }
  return candidates;
}

async function installCandidates(
  root: string,
  sub: string,
  binary: string,
  source: InterpreterSource,
): Promise<Candidate[]> {
  const base = join(root, sub);
  const candidates: Candidate[] = [];
  for (const name of (await listDir(base)).sort()) {
    const path = join(base, name, binary);
    if (await isExecutable(path)) candidates.push({ path, source, python3OnPath: false });
  }
  return candidates;
}

function pyenvRoot(env: NodeJS.ProcessEnv): string {
  return env.PYENV_ROOT ?? join(env.HOME ?? homedir(), ".pyenv");
}

function uvRoot(env: NodeJS.ProcessEnv): string {
  if (env.UV_PYTHON_INSTALL_DIR !== undefined) return env.UV_PYTHON_INSTALL_DIR;
  const data = env.XDG_DATA_HOME ?? join(env.HOME ?? homedir(), ".local", "share");
  return join(data, "uv", "python");
}

function probeVersion(path: string, options: DiscoverOptions): Promise<string | undefined> {
  return new Promise((done) => {
    execFile(
      path,
      ["-I", "-c", VERSION_SCRIPT],
      {
        timeout: options.probeTimeoutMs ?? 5_000,
        env: { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8" },
        maxBuffer: 4096,
      },
      (error, stdout) => {
        const full = stdout.trim();
        if (error !== null || !/^\d+\.\d+\.\d+$/.test(full)) {
          options.logger?.debug({ path, error: error?.message }, "not a usable interpreter");
          done(undefined);
          return;
        }
        done(full);
      },
    );
  });
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

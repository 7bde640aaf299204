/** Where an interpreter was found, in order of precedence. */
export const INTERPRETER_SOURCES = ["PYLOT_PYTHONS", "PATH", "pyenv", "uv"] as const;
export type InterpreterSource = (typeof INTERPRETER_SOURCES)[number];

export interface Interpreter {
  /** "major.minor", the key jobs ask for: "3.12". */
  readonly version: string;
  /** The version the interpreter reported when it was run: "3.12.1". */
  readonly full: string;
  readonly path: string;
  readonly source: InterpreterSource;
  /** True for the interpreter `python3` on PATH runs (pyenv shims skipped): the default. */
  readonly python3OnPath?: boolean;
}

export type InterpreterChoice =
  | { readonly ok: true; readonly interpreter: Interpreter }
  | { readonly ok: false; readonly message: string };

/** Compares dotted versions numerically ("3.9" < "3.10"). */
export function compareVersions(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The interpreter for a "major.minor" version, or a message naming what is available. */
export function pickInterpreter(list: readonly Interpreter[], version: string): InterpreterChoice {
  const interpreter = list.find((candidate) => candidate.version === version);
  if (interpreter !== undefined) return { ok: true, interpreter };
  const available = [...new Set(list.map((candidate) => candidate.version))].sort(compareVersions);
  const names = available.length > 0 ? available.join(", ") : "none";
  return {
    ok: false,
    message: `Python ${version} is not available on this runner (available: ${names})`,
  };
}

/** What `python3` on PATH runs, else the newest interpreter; undefined for an empty list. */
export function defaultInterpreter(list: readonly Interpreter[]): Interpreter | undefined {
  const onPath = list.find((candidate) => candidate.python3OnPath === true);
  if (onPath !== undefined) return onPath;
  return [...list].sort((a, b) => compareVersions(b.full, a.full))[0];
}

export interface PythonsEntry {
  /** The declared "major.minor", when the entry has one. */
  readonly version: string | undefined;
  readonly path: string;
}

export type PythonsSetting =
  | { readonly ok: true; readonly entries: readonly PythonsEntry[] }
  | { readonly ok: false; readonly message: string };

const VERSION = /^\d+\.\d+$/;

/**
 * Parses `PYLOT_PYTHONS`: `3.11=/path/python,3.12=/path/python`. A bare path is accepted too
 * (its version is read by running it). Paths must be absolute: a relative one would depend on
 * the runner's working directory.
 */
export function parsePythonsSetting(value: string | undefined): PythonsSetting {
  const entries: PythonsEntry[] = [];
  for (const raw of (value ?? "").split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    const equals = item.indexOf("=");
    const version = equals === -1 ? undefined : item.slice(0, equals).trim();
    const path = equals === -1 ? item : item.slice(equals + 1).trim();
    if (version !== undefined && !VERSION.test(version)) {
      return { ok: false, message: `PYLOT_PYTHONS: "${version}" is not a version like 3.12` };
    }
    if (!path.startsWith("/")) {
      return { ok: false, message: `PYLOT_PYTHONS: "${path}" is not an absolute path` };
    }
    entries.push({ version, path });
  }
  return { ok: true, entries };
}

/** "3.12.1" → "3.12". */
export function minorOf(full: string): string {
  return full.split(".").slice(0, 2).join(".");
}

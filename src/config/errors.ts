import type { PylotConfig } from "./schema.js";

/** A problem in a config file, in the shape editors and GitHub annotations understand. */
export interface ConfigError {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Dotted path of the offending key, such as "lint.flake8" or "python[1]"; "(root)" for the file. */
  readonly key: string;
  readonly message: string;
}

export type ConfigParse =
  | { readonly ok: true; readonly config: PylotConfig }
  | { readonly ok: false; readonly errors: ConfigError[] };

/** A location inside the parsed value: keys and list indexes. */
export type Path = readonly (string | number)[];

/** A problem found on the value; positions are attached later from the YAML source. */
export interface Problem {
  readonly path: Path;
  /** Point at the key (unknown keys, missing keys) or at the value. */
  readonly at: "key" | "value";
  readonly message: string;
}

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Maps paths of the parsed value back to the YAML text they came from. */
export interface SourceMap {
  /** Position of the key or value at `path`, or of its nearest ancestor present in the text. */
  position(path: Path, at: "key" | "value"): Position;
  /** The literal text of a plain scalar YAML read as a number ("3.10" where YAML read 3.1). */
  rawNumber(path: Path): string | undefined;
}

/** For values that arrive without their text (the App's merged config). */
export const NO_SOURCE: SourceMap = {
  position: () => ({ line: 1, column: 1 }),
  rawNumber: () => undefined,
};

export const ROOT_KEY = "(root)";

/** More than this many errors help no one; the rest are summarised in one line. */
export const MAX_REPORTED_ERRORS = 50;

/** User-supplied text in a message: bounded length, control characters escaped. */
export function clip(text: string, max = 40): string {
  const escaped = JSON.stringify(text).slice(1, -1);
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

/** `"hgh"`, escaped and bounded, for values and keys quoted in messages. */
export function quote(text: string): string {
  return `"${clip(text)}"`;
}

/** "a, b, c" for user-supplied names, bounded: "a, b, …, and 40 more". */
export function listNames(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).map((name) => clip(name));
  const rest = names.length - shown.length;
  return rest > 0 ? `${shown.join(", ")}, and ${rest} more` : shown.join(", ");
}

/** `["lint", "flake8"]` → `lint.flake8`; `["python", 1]` → `python[1]`; `[]` → `(root)`. */
export function formatPath(path: Path): string {
  if (path.length === 0) return ROOT_KEY;
  return path
    .map((segment, index) => {
      if (typeof segment === "number") return `[${segment}]`;
      const text = clip(segment);
      return index === 0 ? text : `.${text}`;
    })
    .join("");
}

/** One `file:line:column: message` line per error, the format editors and CI matchers parse. */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  return errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join("\n");
}

/**
 * Errors in file order, duplicates dropped, capped at {@link MAX_REPORTED_ERRORS}; `unlisted`
 * counts problems found but never turned into errors, for the summary line.
 */
export function orderErrors(errors: readonly ConfigError[], unlisted = 0): ConfigError[] {
  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    const id = `${e.line}:${e.column}:${e.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  const sorted = unique.sort((a, b) => a.line - b.line || a.column - b.column);
  const shown = sorted.slice(0, MAX_REPORTED_ERRORS);
  const rest = sorted.length - shown.length + unlisted;
  if (rest <= 0) return shown;
  const last = shown[shown.length - 1];
  const summary: ConfigError = {
    file: last?.file ?? "",
    line: last?.line ?? 1,
    column: last?.column ?? 1,
    key: ROOT_KEY,
    message: `${rest} more problem${rest === 1 ? "" : "s"} not shown; fix these first`,
  };
  return [...shown, summary];
}

/** Attaches positions to problems found on the value. */
export function locateProblems(
  problems: readonly Problem[],
  context: { readonly file: string; readonly source: SourceMap; readonly unlisted?: number },
): ConfigError[] {
  return orderErrors(
    problems.map((problem) => ({
      file: context.file,
      ...context.source.position(problem.path, problem.at),
      key: formatPath(problem.path),
      message: problem.message,
    })),
    context.unlisted,
  );
}

/** An error about the file as a whole (size, unreadable), at its first character. */
export function fileError(file: string, message: string): ConfigError {
  return { file, line: 1, column: 1, key: ROOT_KEY, message };
}

import { readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  NO_SOURCE,
  fileError,
  locateProblems,
  type ConfigError,
  type ConfigParse,
  type SourceMap,
} from "./errors.js";
import { splitExtends } from "./extends.js";
import { createIssueContext, limitIssues, problemsFromIssues } from "./issues.js";
import { PYTHON_MARKERS_TEXT, hasPythonMarkers } from "./markers.js";
import { MAX_CONFIG_BYTES, readConfigFile, tooLargeMessage } from "./read-file.js";
import { PylotConfigSchema, type PylotConfig } from "./schema.js";
import { checkReservedKeys, checkSemantics } from "./semantics.js";
import { readYaml, sourceMapOf } from "./yaml-source.js";

/** Where the config lives, relative to the repository root. The App reads only this one. */
export const CONFIG_FILE = ".github/pylot.yml";
/** Accepted by the CLI too, since editors and habits produce it. */
export const CONFIG_FILE_ALTERNATE = ".github/pylot.yaml";

export type ConfigLoad =
  | { readonly kind: "ok"; readonly config: PylotConfig; readonly file: string | undefined }
  | { readonly kind: "invalid"; readonly errors: ConfigError[] }
  | { readonly kind: "not-python"; readonly message: string };

/** The project directory given to {@link loadProjectConfig} cannot be listed. */
export class ProjectDirError extends Error {
  override readonly name = "ProjectDirError";
  constructor(
    readonly dir: string,
    readonly reason: "missing" | "not-a-directory" | "unreadable",
  ) {
    const text = {
      missing: `"${dir}" does not exist`,
      "not-a-directory": `"${dir}" is not a directory`,
      unreadable: `"${dir}" cannot be read (permission denied)`,
    }[reason];
    super(text);
  }
}

function validate(value: unknown, context: { file: string; source: SourceMap }): ConfigParse {
  const { rest, problems } = splitExtends(value ?? {});
  problems.push(...checkReservedKeys(rest));
  const result = PylotConfigSchema.safeParse(rest);
  if (result.success) {
    problems.push(...checkSemantics(result.data, context.source));
    if (problems.length === 0) return { ok: true, config: result.data };
    return { ok: false, errors: locateProblems(problems, context) };
  }
  const { issues, skipped } = limitIssues(result.error.issues);
  const issueContext = createIssueContext(PylotConfigSchema, rest, context.source);
  problems.push(...problemsFromIssues(issueContext, issues));
  return { ok: false, errors: locateProblems(problems, { ...context, unlisted: skipped }) };
}

/**
 * Parses and validates the text of `.github/pylot.yml`. An empty file is `{}` (all defaults).
 * Errors carry the line and column of the offending key or value.
 */
export function parseConfigText(text: string, file: string = CONFIG_FILE): ConfigParse {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_CONFIG_BYTES)
    return { ok: false, errors: [fileError(file, tooLargeMessage(bytes))] };
  const read = readYaml(text, file);
  if (!read.ok) return read;
  return validate(read.value, { file, source: read.source });
}

/**
 * Validates a value parsed elsewhere: the App gets it from Probot's `context.config`, already
 * merged with `_extends`. Give the file's `text` for line numbers; without it errors point at 1:1.
 */
export function validateConfigValue(
  value: unknown,
  options: { readonly file: string; readonly text?: string },
): ConfigParse {
  const { text } = options;
  const usable = text !== undefined && Buffer.byteLength(text, "utf8") <= MAX_CONFIG_BYTES;
  return validate(value, { file: options.file, source: usable ? sourceMapOf(text) : NO_SOURCE });
}

async function rootFileNames(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  } catch (error: unknown) {
    const code = error instanceof Error && "code" in error ? error.code : undefined;
    if (code === "ENOENT") throw new ProjectDirError(dir, "missing");
    if (code === "ENOTDIR") throw new ProjectDirError(dir, "not-a-directory");
    if (code === "EACCES" || code === "EPERM") throw new ProjectDirError(dir, "unreadable");
    throw error;
  }
}

export type ConfigFileLoad =
  | { readonly kind: "ok"; readonly config: PylotConfig }
  | { readonly kind: "invalid"; readonly errors: ConfigError[] }
  | { readonly kind: "missing" }
  | { readonly kind: "unreadable"; readonly reason: string };

/**
 * Reads and validates one config file. `file` names it in errors (default: `path`); callers pass
 * the path as the user wrote it, so editors can open it.
 */
export async function loadConfigFile(path: string, file: string = path): Promise<ConfigFileLoad> {
  const read = await readConfigFile(path);
  switch (read.kind) {
    case "missing":
    case "unreadable":
      return read;
    case "too-large":
      return { kind: "invalid", errors: [fileError(file, tooLargeMessage(read.bytes))] };
    case "ok": {
      const parsed = parseConfigText(read.text, file);
      return parsed.ok
        ? { kind: "ok", config: parsed.config }
        : { kind: "invalid", errors: parsed.errors };
    }
  }
}

/** A project's file as a {@link ConfigLoad}; undefined when absent. */
async function loadFile(file: string): Promise<ConfigLoad | undefined> {
  const loaded = await loadConfigFile(file);
  switch (loaded.kind) {
    case "missing":
      return undefined;
    case "unreadable":
      return {
        kind: "invalid",
        errors: [fileError(file, `cannot read the file: ${loaded.reason}`)],
      };
    case "invalid":
      return loaded;
    case "ok":
      return { kind: "ok", config: loaded.config, file };
  }
}

/**
 * The config of a project on disk, for `pylot run`: `<dir>/.github/pylot.yml` (or `.yaml`);
 * without one, the zero-config defaults when the root has Python markers, else "not-python".
 * Paths in results are `dir` joined with the file, as the caller wrote `dir`.
 *
 * @throws ProjectDirError when `dir` is missing, not a directory or unreadable: that is not a
 *   config problem, and a `file:line:column` error would point at nothing.
 */
export async function loadProjectConfig(dir: string): Promise<ConfigLoad> {
  const names = await rootFileNames(dir);
  const main = join(dir, CONFIG_FILE);
  const alternate = join(dir, CONFIG_FILE_ALTERNATE);
  const [fromMain, fromAlternate] = await Promise.all([loadFile(main), loadFile(alternate)]);
  if (fromMain !== undefined && fromAlternate !== undefined) {
    const message = `both ${CONFIG_FILE} and ${CONFIG_FILE_ALTERNATE} exist; keep ${CONFIG_FILE}, the one the GitHub App reads`;
    return { kind: "invalid", errors: [fileError(alternate, message)] };
  }
  const loaded = fromMain ?? fromAlternate;
  if (loaded !== undefined) return loaded;
  if (hasPythonMarkers(names))
    return { kind: "ok", config: PylotConfigSchema.parse({}), file: undefined };
  const message = `"${dir}" is not a Python project: no ${CONFIG_FILE}, ${PYTHON_MARKERS_TEXT}`;
  return { kind: "not-python", message };
}

import { stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import {
  CONFIG_FILE,
  CONFIG_FILE_ALTERNATE,
  formatConfigErrors,
  loadConfigFile,
} from "../config/index.js";

export interface ValidateCommandOptions {
  /** The file to check; default `<cwd>/.github/pylot.yml` (or `.yaml` when only that exists). */
  readonly file: string | undefined;
  readonly cwd: string;
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** Exit codes of `pylot validate`. */
export const VALIDATE_EXIT = { valid: 0, invalid: 1, unreadable: 2 } as const;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function defaultFile(cwd: string): Promise<string> {
  const main = join(cwd, CONFIG_FILE);
  const alternate = join(cwd, CONFIG_FILE_ALTERNATE);
  return !(await exists(main)) && (await exists(alternate)) ? alternate : main;
}

/** Relative to the working directory when inside it, as editors resolve `file:line` links. */
function displayPath(path: string, cwd: string): string {
  const shown = relative(cwd, path);
  return shown === "" || shown.startsWith("..") || isAbsolute(shown) ? path : shown;
}

/**
 * `pylot validate [file]`: prints `✓ <file> is valid` to `out`, or `file:line:column: message`
 * lines to `err`. Returns 0 when valid, 1 when invalid, 2 when the file is missing or unreadable.
 */
export async function validateCommand(options: ValidateCommandOptions): Promise<number> {
  const { cwd, out, err } = options;
  const path = options.file === undefined ? await defaultFile(cwd) : resolve(cwd, options.file);
  const shown = displayPath(path, cwd);
  const loaded = await loadConfigFile(path, shown);
  switch (loaded.kind) {
    case "ok":
      out.write(`✓ ${shown} is valid\n`);
      return VALIDATE_EXIT.valid;
    case "invalid": {
      const count = loaded.errors.length;
      err.write(`${formatConfigErrors(loaded.errors)}\n`);
      err.write(`✗ ${shown}: ${count} problem${count === 1 ? "" : "s"}\n`);
      return VALIDATE_EXIT.invalid;
    }
    case "missing": {
      const hint =
        options.file === undefined
          ? " (without one, Pylot uses its defaults for Python projects)"
          : "";
      err.write(`✗ ${shown}: no such file${hint}\n`);
      return VALIDATE_EXIT.unreadable;
    }
    case "unreadable":
      err.write(`✗ ${shown}: cannot read the file: ${loaded.reason}\n`);
      return VALIDATE_EXIT.unreadable;
  }
}

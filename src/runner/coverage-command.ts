export type CoverageCommand =
  | { readonly ok: true; readonly command: string }
  | { readonly ok: false; readonly message: string };

/** `python`, `python3` or `python3.12`: the interpreter words a test command may start with. */
export const PYTHON = String.raw`python(?:3(?:\.\d+)?)?`;
const ALREADY = new RegExp(String.raw`^${PYTHON}\s+-m\s+coverage\s+run(?:\s|$)`);
const MODULE = new RegExp(String.raw`^${PYTHON}\s+-m\s+([A-Za-z_][\w.]*)(\s[\s\S]*)?$`);
const PYTEST = /^(?:pytest|py\.test)(\s[\s\S]*)?$/;
const NOSE2 = /^nose2(\s[\s\S]*)?$/;
const SCRIPT = new RegExp(
  String.raw`^${PYTHON}\s+([^\s;&|<>()$\x60'"-][^\s;&|<>()$\x60'"]*\.py)(\s[\s\S]*)?$`,
);

/**
 * Rewrites a test command so it runs under coverage.py. Only the leading command is rewritten;
 * the rest of the line (arguments, `&& …`) is kept as written. The result runs with the job's
 * venv first on PATH, so `python` is the venv's interpreter.
 */
export function coverageCommand(run: string): CoverageCommand {
  const command = run.trim();
  if (ALREADY.test(command)) return { ok: true, command };
  const module = MODULE.exec(command);
  if (module !== null) {
    return { ok: true, command: `python -m coverage run -m ${module[1] ?? ""}${module[2] ?? ""}` };
  }
  const pytest = PYTEST.exec(command);
  if (pytest !== null) {
    return { ok: true, command: `python -m coverage run -m pytest${pytest[1] ?? ""}` };
  }
  const nose2 = NOSE2.exec(command);
  if (nose2 !== null) {
    return { ok: true, command: `python -m coverage run -m nose2${nose2[1] ?? ""}` };
  }
  const script = SCRIPT.exec(command);
  if (script !== null) {
    return { ok: true, command: `python -m coverage run ${script[1] ?? ""}${script[2] ?? ""}` };
  }
  return { ok: false, message: unsupported(command) };
}

function unsupported(command: string): string {
  const shown = command.length > 60 ? `${command.slice(0, 57)}...` : command;
  return (
    `coverage needs a test command starting with "python -m <module>", "pytest", "nose2" ` +
    `or "python <script>.py" (got "${shown.replace(/\s+/g, " ")}")`
  );
}

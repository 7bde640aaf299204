import { PYTHON } from "./coverage-command.js";

/** Where a test job's JUnit XML goes; every test job has it, for runners Pylot cannot rewrite. */
export const JUNIT_PATH_VAR = "PYLOT_JUNIT_PATH";
/** Holds UNITTEST_JUNIT_SCRIPT for a rewritten unittest command. */
export const UNITTEST_SCRIPT_VAR = "PYLOT_UNITTEST_JUNIT";

export type JunitRunner = "unittest" | "nose2";

export type JunitCommand =
  | { readonly runner: JunitRunner; readonly command: string }
  /** Not a command Pylot rewrites: pytest (PYTEST_ADDOPTS) and anything else run as written. */
  | { readonly runner: undefined; readonly command: string };

/** `coverage run` with flag-like options (`--branch`, `--rcfile=x`), then `-m`. */
const COVERAGE_RUN = String.raw`coverage\s+run(?:\s+--[a-z][\w-]*(?:=[\w.,/:+-]*)?)*\s+-m\s+`;
const UNITTEST = new RegExp(String.raw`^${PYTHON}(?=\s+-m\s+(?:${COVERAGE_RUN})?unittest(?:\s|$))`);
const NOSE2 = new RegExp(String.raw`^(?:nose2|${PYTHON}\s+-m\s+(?:${COVERAGE_RUN})?nose2)(?=\s|$)`);

/**
 * Makes a test command's runner write JUnit XML to $PYLOT_JUNIT_PATH when the command's first
 * program is unittest or nose2 (also under `python -m coverage run`, so it composes with
 * coverageCommand, which runs first). Only that program's own words change: nose2 gets its
 * junitxml plugin's options, unittest runs through UNITTEST_JUNIT_SCRIPT; the rest of the line
 * (arguments, `;`, `&&`, substitutions) is kept byte for byte. The inserted words are fixed
 * text and double-quoted variables, so no value is ever spliced into the shell line.
 */
export function junitCommand(run: string): JunitCommand {
  const command = run.trimStart();
  const unittest = UNITTEST.exec(command);
  if (unittest !== null) {
    const python = unittest[0];
    return {
      runner: "unittest",
      command: `${python} -c "$${UNITTEST_SCRIPT_VAR}"${command.slice(python.length)}`,
    };
  }
  const nose2 = NOSE2.exec(command);
  if (nose2 !== null) {
    const head = nose2[0];
    const plugin = `--plugin nose2.plugins.junitxml --junit-xml --junit-xml-path "$${JUNIT_PATH_VAR}"`;
    return { runner: "nose2", command: `${head} ${plugin}${command.slice(head.length)}` };
  }
  return { runner: undefined, command: run };
}

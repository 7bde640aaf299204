import type { Finding, ParseOptions, ParseResult, Severity } from "./model.js";
import { repositoryPath } from "./paths.js";
import { type LineReading, parseLines, positive } from "./text-report.js";

/** flake8's default format: `./pkg/mod.py:12:5: F401 'os' imported but unused`. */
const LINE = /^(.+?):(\d+):(\d+): ([A-Z]+[0-9]+) (.*)$/;

/**
 * Codes that mean the code cannot run as written (syntax errors, undefined names, broken
 * `return`/`yield`/comparisons) are errors; style and the rest are warnings.
 */
function severityOf(code: string): Severity {
  return /^(E9|F63|F7|F82)/.test(code) ? "error" : "warning";
}

export function parseFlake8(
  input: string | Uint8Array,
  options: ParseOptions = {},
): ParseResult<Finding[]> {
  return parseLines({
    kind: "flake8",
    text: input,
    options,
    read: (line) => readLine(line, options.root),
  });
}

function readLine(line: string, root: string | undefined): LineReading {
  const match = LINE.exec(line);
  if (match === null) return { kind: "skip" };
  const [, file = "", row, col, code = "", text = ""] = match;
  const path = repositoryPath(file, root);
  const lineNumber = positive(row);
  if (path === undefined || lineNumber === undefined) return { kind: "outside" };
  const column = positive(col);
  return {
    kind: "finding",
    finding: {
      tool: "flake8",
      path,
      line: lineNumber,
      ...(column === undefined ? {} : { column }),
      severity: severityOf(code),
      rule: code,
      title: `flake8 ${code}`,
      message: text,
    },
  };
}

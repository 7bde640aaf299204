import type { Finding, ParseOptions, ParseResult } from "./model.js";
import { repositoryPath } from "./paths.js";
import { type LineReading, parseLines, positive } from "./text-report.js";

/**
 * `file:line: error: message  [code]`, with `--show-column-numbers` `file:line:col:` and with
 * `--show-error-end` `file:line:col:endline:endcol:` (columns 1-based, the end inclusive).
 */
const LINE =
  /^(.+?):(\d+)(?::(\d+))?(?::(\d+):(\d+))?: (error|warning|note): (.*?)(?:  \[([\w-]+)\])?$/;

export function parseMypy(
  input: string | Uint8Array,
  options: ParseOptions = {},
): ParseResult<Finding[]> {
  let last: Finding | undefined;
  return parseLines({
    kind: "mypy",
    text: input,
    options,
    read: (line) => {
      const reading = readLine(line, options.root, last);
      if (reading.kind === "finding") last = reading.finding;
      return reading;
    },
  });
}

function readLine(line: string, root: string | undefined, last: Finding | undefined): LineReading {
  const match = LINE.exec(line);
  if (match === null) return { kind: "skip" };
  const [, file = "", row, col, endRow, endCol, level = "error", text = "", code] = match;
  const path = repositoryPath(file, root);
  const lineNumber = positive(row);
  if (path === undefined || lineNumber === undefined) return { kind: "outside" };
  // A note right after an error explains that error ("See https://…", "Revealed type …").
  if (level === "note" && last !== undefined && last.path === path && last.line === lineNumber) {
    return { kind: "continue", text };
  }
  const column = positive(col);
  const endLine = positive(endRow);
  const endColumn = positive(endCol);
  const oneLine = endLine === undefined || endLine === lineNumber;
  return {
    kind: "finding",
    finding: {
      tool: "mypy",
      path,
      line: lineNumber,
      ...(endLine !== undefined && endLine > lineNumber ? { endLine } : {}),
      ...(column === undefined ? {} : { column }),
      ...(oneLine && column !== undefined && endColumn !== undefined && endColumn >= column
        ? { endColumn }
        : {}),
      severity: level === "error" ? "error" : level === "warning" ? "warning" : "notice",
      rule: code ?? level,
      title: `mypy ${code === undefined ? level : `[${code}]`}`,
      message: text,
      toolSeverity: level,
    },
  };
}

import type { Finding, ParseOptions, ParseResult, Severity } from "./model.js";
import { repositoryPath } from "./paths.js";
import { type LineReading, parseLines, positive } from "./text-report.js";

/** `--output-format=parseable`: `pkg/mod.py:3: [W0611(unused-import), ] Unused import os`. */
const LINE = /^(.+?):(\d+): \[([A-Z])(\d{4})(?:\(([\w-]+)\))?, ([^\]]*)\] (.*)$/;
const NOISE = /^(\*{5,} Module |-{5,}$|Your code has been rated|\s*$)/;

const CATEGORIES: Readonly<Record<string, { severity: Severity; name: string }>> = {
  F: { severity: "error", name: "fatal" },
  E: { severity: "error", name: "error" },
  W: { severity: "warning", name: "warning" },
  R: { severity: "notice", name: "refactor" },
  C: { severity: "notice", name: "convention" },
  I: { severity: "notice", name: "info" },
};

export function parsePylint(
  input: string | Uint8Array,
  options: ParseOptions = {},
): ParseResult<Finding[]> {
  return parseLines({
    kind: "pylint",
    text: input,
    options,
    read: (line) => readLine(line, options.root),
  });
}

function readLine(line: string, root: string | undefined): LineReading {
  const match = LINE.exec(line);
  // Messages such as duplicate-code go on for several lines.
  if (match === null) return NOISE.test(line) ? { kind: "skip" } : { kind: "continue", text: line };
  const [, file = "", row, letter = "", number = "", symbol, object = "", text = ""] = match;
  const path = repositoryPath(file, root);
  const lineNumber = positive(row);
  if (path === undefined || lineNumber === undefined) return { kind: "outside" };
  const category = CATEGORIES[letter] ?? { severity: "warning" as const, name: letter };
  const rule = `${letter}${number}`;
  const where = object.trim() === "" ? "" : ` in ${object.trim()}`;
  return {
    kind: "finding",
    finding: {
      tool: "pylint",
      path,
      line: lineNumber,
      severity: category.severity,
      rule,
      title: `pylint ${rule}${symbol === undefined ? "" : ` (${symbol})`}${where}`,
      message: text,
      toolSeverity: category.name,
    },
  };
}

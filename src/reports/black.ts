import { decodeInput, limitsOf, reject } from "./input.js";
import type { Finding, ParseOptions, ParseResult } from "./model.js";
import { repositoryPath } from "./paths.js";

const HUNK = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/;
const DETAILS_LIMIT = 60 * 1024;

interface FileDiff {
  readonly name: string;
  readonly lines: string[];
}

/**
 * `black --check --diff`: one finding per file black would reformat, at the first line the
 * first hunk changes, with the file's diff as details.
 */
export function parseBlack(
  input: string | Uint8Array,
  options: ParseOptions = {},
): ParseResult<Finding[]> {
  const limits = limitsOf(options);
  const text = decodeInput(input, limits.textBytes);
  if (!text.ok) return reject("black", text.why);
  const findings: Finding[] = [];
  let outside = 0;
  for (const diff of splitFiles(text.value)) {
    const path = repositoryPath(diff.name, options.root);
    if (path === undefined) {
      outside++;
      continue;
    }
    if (findings.length < limits.items) findings.push(toFinding(path, diff.lines));
  }
  const warnings = outside > 0 ? [`${outside} file(s) outside the repository were left out`] : [];
  return { ok: true, value: findings, warnings };
}

function splitFiles(text: string): FileDiff[] {
  const files: FileDiff[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const next = lines[i + 1] ?? "";
    if (line.startsWith("--- ") && next.startsWith("+++ ")) {
      // The name runs up to the tab black puts before the timestamp.
      files.push({ name: next.slice(4).split("\t")[0] ?? "", lines: [line, next] });
      i++;
    } else {
      files.at(-1)?.lines.push(line);
    }
  }
  return files;
}

function toFinding(path: string, lines: readonly string[]): Finding {
  const hunks = lines.filter((line) => HUNK.test(line)).length;
  const line = firstChangedLine(lines);
  const diff = lines.join("\n").trimEnd();
  return {
    tool: "black",
    path,
    line,
    severity: "warning",
    rule: "black",
    title: "black would reformat this file",
    message: `black would reformat this file (${hunks} ${hunks === 1 ? "hunk" : "hunks"}, the first at line ${line}); run black to fix it`,
    details: diff.length <= DETAILS_LIMIT ? diff : `${diff.slice(0, DETAILS_LIMIT)}\n… (diff cut)`,
  };
}

/** The old-side line of the first `-` or `+` line in the first hunk. */
function firstChangedLine(lines: readonly string[]): number {
  const start = lines.findIndex((line) => HUNK.test(line));
  if (start === -1) return 1;
  let line = Number(HUNK.exec(lines[start] ?? "")?.[1] ?? 1);
  for (const text of lines.slice(start + 1)) {
    if (text.startsWith("-") || text.startsWith("+") || HUNK.test(text)) break;
    line++;
  }
  return Math.max(1, line);
}

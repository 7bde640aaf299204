import { z } from "zod";

/**
 * Pure readings of the tools' outputs: did the step pass, and one line saying why. Full parsing
 * into findings is the reports capability's job; the runner only counts.
 */

export interface Verdict {
  readonly passed: boolean;
  readonly summary: string;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function nonEmptyLines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "");
}

export function flake8Verdict(exitCode: number, report: string): Verdict {
  const problems = nonEmptyLines(report).length;
  if (exitCode === 0) return { passed: true, summary: "flake8 found no problems" };
  if (exitCode === 1 && problems > 0) {
    return { passed: false, summary: `flake8 found ${plural(problems, "problem")}` };
  }
  return { passed: false, summary: `flake8 failed (exit ${exitCode})` };
}

export function blackVerdict(exitCode: number, diff: string): Verdict {
  if (exitCode === 0) return { passed: true, summary: "black found nothing to reformat" };
  const files = diff.split("\n").filter((line) => line.startsWith("+++ ")).length;
  if (exitCode === 1) {
    const what = files > 0 ? plural(files, "file") : "files";
    return { passed: false, summary: `black would reformat ${what}` };
  }
  return { passed: false, summary: `black failed (exit ${exitCode})` };
}

const PYLINT_MESSAGE = /^[^\s].*:\d+: \[[A-Z]\d+/;
/** Pylint's exit status is a bit mask; 32 means it could not run as asked. */
const PYLINT_USAGE_ERROR = 32;

export function pylintVerdict(exitCode: number, report: string): Verdict {
  const problems = report.split("\n").filter((line) => PYLINT_MESSAGE.test(line)).length;
  if (exitCode === 0) return { passed: true, summary: "pylint found no problems" };
  if ((exitCode & PYLINT_USAGE_ERROR) === 0 && problems > 0) {
    return { passed: false, summary: `pylint found ${plural(problems, "problem")}` };
  }
  return { passed: false, summary: `pylint failed (exit ${exitCode})` };
}

export function mypyVerdict(exitCode: number, report: string): Verdict {
  const errors = report.split("\n").filter((line) => /:\d+(:\d+)?: error:/.test(line)).length;
  if (exitCode === 0) return { passed: true, summary: "mypy found no errors" };
  if (exitCode === 1 && errors > 0) {
    return { passed: false, summary: `mypy found ${plural(errors, "error")}` };
  }
  return { passed: false, summary: `mypy failed (exit ${exitCode})` };
}

const LEVELS = ["low", "medium", "high"] as const;
type Level = (typeof LEVELS)[number];

const BanditReport = z.object({
  results: z.array(z.object({ issue_severity: z.string(), issue_confidence: z.string() })),
  errors: z.array(z.unknown()).optional(),
});

function level(value: string): number {
  return LEVELS.indexOf(value.toLowerCase() as Level);
}

/**
 * bandit's exit status says only "something was found"; the gate is ours: the step fails when
 * an issue at or above `failOn` severity (with at least `confidence`) is present.
 */
export function banditVerdict(input: {
  readonly exitCode: number;
  readonly report: unknown;
  readonly failOn: "none" | Level;
  readonly confidence: Level;
}): Verdict {
  const parsed = BanditReport.safeParse(input.report);
  if (!parsed.success || input.exitCode > 1) {
    return { passed: false, summary: `bandit failed (exit ${input.exitCode})` };
  }
  const issues = parsed.data.results.filter(
    (issue) =>
      level(issue.issue_confidence) >= level(input.confidence) && level(issue.issue_severity) >= 0,
  );
  const counts = LEVELS.map((name) => ({
    name,
    count: issues.filter((issue) => level(issue.issue_severity) === level(name)).length,
  }))
    .filter(({ count }) => count > 0)
    .reverse()
    .map(({ name, count }) => `${count} ${name}`);
  const unscanned = parsed.data.errors?.length ?? 0;
  const note = unscanned > 0 ? `; ${plural(unscanned, "file")} could not be scanned` : "";
  if (issues.length === 0) return { passed: true, summary: `bandit found no issues${note}` };
  const found = `bandit found ${plural(issues.length, "issue")} (${counts.join(", ")})`;
  if (input.failOn === "none") return { passed: true, summary: `${found}; fail-on is none${note}` };
  const gate = level(input.failOn);
  const failing = issues.filter((issue) => level(issue.issue_severity) >= gate).length;
  if (failing === 0) {
    return { passed: true, summary: `${found}; none at or above ${input.failOn}${note}` };
  }
  return { passed: false, summary: `${found}; ${failing} at or above ${input.failOn}${note}` };
}

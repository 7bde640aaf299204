import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import type { JobLog } from "./job-log.js";
import type { Redactor } from "./redact.js";

/** Reports that carry the job's output or source text, which may quote a secret. */
const TEXT_REPORTS = new Set([
  "junit.xml",
  "flake8.txt",
  "pylint.txt",
  "mypy.txt",
  "black.diff",
  "bandit.json",
]);
const LIMIT = 64 * 1024 * 1024;

/**
 * Masks secrets inside a step's text reports: they are rendered into check runs and comments
 * (JUnit XML holds captured test output, bandit quotes code). A report too large to rewrite
 * is removed rather than kept unmasked.
 */
export async function redactReports(input: {
  readonly reports: Readonly<Record<string, string>>;
  readonly redactor: Redactor;
  readonly log: JobLog;
}): Promise<Record<string, string>> {
  if (!input.redactor.active) return { ...input.reports };
  const kept: Record<string, string> = {};
  for (const [name, path] of Object.entries(input.reports)) {
    if (!TEXT_REPORTS.has(basename(path))) {
      kept[name] = path;
      continue;
    }
    const size = (await stat(path)).size;
    if (size > LIMIT) {
      await rm(path, { force: true });
      input.log.line(`[pylot] ${name} removed: too large to mask the job's secrets in`);
      continue;
    }
    const text = await readFile(path, "utf8");
    const masked = input.redactor.redact(text);
    if (masked !== text) await writeFile(path, masked);
    kept[name] = path;
  }
  return kept;
}

import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  formatPercent,
  parseCobertura,
  parseCoverageJson,
  type CoverageReport,
} from "../../../src/reports/index.js";
import { must } from "./models.js";

const run = promisify(execFile);
const PYTHON = "/usr/bin/python3";
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const made: string[] = [];

afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Runs the project's tests under coverage.py for real, as the runner does, in a fresh copy. */
async function measure(
  project: string,
): Promise<{ root: string; xml: string; json: string; table: string }> {
  const root = await mkdtemp(join(tmpdir(), "pylot-coverage-"));
  made.push(root);
  await cp(join(REPO, project), root, { recursive: true });
  const env = {
    ...process.env,
    COVERAGE_FILE: join(root, ".coverage"),
    PYTHONDONTWRITEBYTECODE: "1",
  };
  // Failing tests are part of the fixture: pytest's exit status is not the point here.
  await run(PYTHON, ["-m", "coverage", "run", "-m", "pytest", "-q", "-p", "no:cacheprovider"], {
    cwd: root,
    env,
  }).catch(() => undefined);
  await run(PYTHON, ["-m", "coverage", "xml", "-o", join(root, "coverage.xml")], {
    cwd: root,
    env,
  });
  await run(PYTHON, ["-m", "coverage", "json", "-o", join(root, "coverage.json")], {
    cwd: root,
    env,
  });
  const { stdout } = await run(PYTHON, ["-m", "coverage", "report", "--precision=2"], {
    cwd: root,
    env,
  });
  const read = (name: string) => readFile(join(root, name), "utf8");
  return {
    root,
    xml: await read("coverage.xml"),
    json: await read("coverage.json"),
    table: stdout,
  };
}

/** `coverage report`'s rows: name → [statements, missing, percent as printed]. */
function rows(table: string): Map<string, [number, number, string]> {
  const found = new Map<string, [number, number, string]>();
  for (const line of table.split("\n")) {
    const cells = line.trim().split(/\s+/);
    const percent = cells.at(-1) ?? "";
    if (!percent.endsWith("%")) continue;
    found.set(cells[0] ?? "", [Number(cells[1]), Number(cells[2]), percent]);
  }
  return found;
}

function ours(report: CoverageReport): Map<string, [number, number, string]> {
  const found = new Map<string, [number, number, string]>();
  for (const file of report.files)
    found.set(file.path, [
      file.totals.statements,
      file.totals.statements - file.totals.covered,
      formatPercent(file.totals.percent),
    ]);
  found.set("TOTAL", [
    report.totals.statements,
    report.totals.statements - report.totals.covered,
    formatPercent(report.totals.percent),
  ]);
  return found;
}

describe("coverage figures agree with coverage.py's own report", () => {
  it.each([
    { project: "test/fixtures/reports/project", shape: "branch coverage, source = ." },
    { project: "test/fixtures/projects/ok", shape: "line coverage, source = okcalc" },
  ])("for $project ($shape)", async ({ project }) => {
    const measured = await measure(project);

    const xml = must(parseCobertura(measured.xml, { root: measured.root }));
    const json = must(parseCoverageJson(measured.json, { root: measured.root }));

    const truth = rows(measured.table);
    expect(truth.get("TOTAL")).toBeDefined();
    expect(ours(xml)).toEqual(truth);
    expect(ours(json)).toEqual(truth);
  });
});

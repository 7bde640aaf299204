import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  CoverageReportSchema,
  FindingSchema,
  parseReport,
  reportKindOf,
  TestReportSchema,
  type ReportKind,
} from "../../../src/reports/index.js";
import { fixture, FIXTURES, ROOT } from "./fixtures.js";

const SCHEMAS: Readonly<Record<ReportKind, z.ZodType>> = {
  cobertura: CoverageReportSchema,
  "coverage-json": CoverageReportSchema,
  junit: TestReportSchema,
  bandit: FindingSchema.array(),
  flake8: FindingSchema.array(),
  pylint: FindingSchema.array(),
  mypy: FindingSchema.array(),
  black: FindingSchema.array(),
};

const reports = ["shop", "okcalc", "messy", "vault", "arithmetic", "xmlrunner"].flatMap((project) =>
  readdirSync(`${FIXTURES}${project}`)
    .map((name) => ({ file: `${project}/${name}`, kind: reportKindOf(name) }))
    .filter((entry): entry is { file: string; kind: ReportKind } => entry.kind !== undefined),
);

describe("parseReport by the runner's report file names", () => {
  it("knows every report the runner writes", () => {
    const names = [
      "coverage.xml",
      "coverage.json",
      "junit.xml",
      "bandit.json",
      "flake8.txt",
      "pylint.txt",
      "mypy.txt",
      "black.diff",
      "job.log",
      "__proto__",
    ];

    expect(names.map(reportKindOf)).toEqual([
      "cobertura",
      "coverage-json",
      "junit",
      "bandit",
      "flake8",
      "pylint",
      "mypy",
      "black",
      undefined,
      undefined,
    ]);
  });

  it.each(reports)(
    "parses $file into a value its schema accepts (it crosses a queue)",
    ({ file, kind }) => {
      const result = parseReport(kind, fixture(file), { root: ROOT });

      expect(result.ok).toBe(true);
      expect(SCHEMAS[kind].safeParse(result.ok ? result.value : undefined).success).toBe(true);
      expect(result.ok && result.warnings).toEqual([]);
    },
  );
});

import { describe, expect, it } from "vitest";
import {
  parseCobertura,
  parseCoverageJson,
  type CoverageReport,
} from "../../../src/reports/index.js";
import { fixture, fixtureText, ROOT } from "./fixtures.js";

function value(result: ReturnType<typeof parseCobertura>): CoverageReport {
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

/** The TOTAL line of `coverage report --precision=2`, as coverage.py printed it. */
function coverageReportTotal(path: string): string {
  const line =
    fixtureText(path)
      .split("\n")
      .find((text) => text.startsWith("TOTAL")) ?? "";
  return line.trim().split(/\s+/).at(-1) ?? "";
}

describe.each([
  { name: "parseCobertura", parse: parseCobertura, file: "coverage.xml" },
  { name: "parseCoverageJson", parse: parseCoverageJson, file: "coverage.json" },
])("$name on coverage.py 6.5 output", ({ parse, file }) => {
  it("reads the shop project (branch coverage, source = .) into repository paths", () => {
    const report = value(parse(fixture(`shop/${file}`), { root: ROOT }));

    expect(report.files.map((f) => f.path)).toEqual([
      "shop/__init__.py",
      "shop/cart.py",
      "shop/stock.py",
      "tests/__init__.py",
      "tests/test_cart.py",
    ]);
    expect(report.files[1]).toMatchObject({
      path: "shop/cart.py",
      missing: [17, 22, 23, 24, 25],
      branches: [
        { line: 10, covered: 2, total: 2 },
        { line: 22, covered: 0, total: 2 },
        { line: 23, covered: 0, total: 2 },
      ],
      totals: { covered: 9, statements: 14, percent: 55, branches: { covered: 2, total: 6 } },
    });
    expect(report.totals).toMatchObject({
      covered: 35,
      statements: 42,
      branches: { covered: 6, total: 10 },
    });
  });

  it.each([
    ["shop", "78.85%"],
    ["okcalc", "60.00%"],
  ])("gives %s the total coverage.py's own report printed (%s)", (project, printed) => {
    const report = value(parse(fixture(`${project}/${file}`), { root: ROOT }));

    expect(`${report.totals.percent.toFixed(2)}%`).toBe(printed);
    expect(coverageReportTotal(`${project}/coverage-report.txt`)).toBe(printed);
  });

  it("resolves file names against a <source> that is a package (source = okcalc)", () => {
    const report = value(parse(fixture(`okcalc/${file}`), { root: ROOT }));

    expect(report.files).toEqual([
      {
        path: "okcalc/__init__.py",
        covered: file === "coverage.xml" ? [4, 6, 9] : [1, 4, 6, 9],
        missing: [11, 12],
        totals: { covered: 3, statements: 5, percent: 60 },
      },
    ]);
  });
});

describe("parseCobertura paths", () => {
  const xml = (sources: string[], filenames: string[]) =>
    [
      '<?xml version="1.0" ?>',
      '<coverage version="6.5.0">',
      `<sources>${sources.map((s) => `<source>${s}</source>`).join("")}</sources>`,
      '<packages><package name="p"><classes>',
      ...filenames.map(
        (f) =>
          `<class name="x" filename="${f}"><methods/><lines><line number="1" hits="1"/></lines></class>`,
      ),
      "</classes></package></packages>",
      "</coverage>",
    ].join("\n");

  it.each([
    { sources: ["/ws/src"], filename: "pkg/a.py", path: "pkg/a.py" },
    { sources: ["/ws/src/pkg"], filename: "a.py", path: "pkg/a.py" },
    { sources: ["/ws/src/"], filename: "./pkg/a.py", path: "pkg/a.py" },
    { sources: ["/elsewhere", "/ws/src"], filename: "pkg/a.py", path: "pkg/a.py" },
    { sources: ["/ws/src"], filename: "/ws/src/pkg/a.py", path: "pkg/a.py" },
    { sources: ["/ws/src"], filename: "../secret.py", path: undefined },
    { sources: ["/ws/src"], filename: "/usr/lib/python3/os.py", path: undefined },
    { sources: ["/usr/lib/python3/dist-packages"], filename: "six.py", path: undefined },
  ])("maps $filename under $sources to $path", ({ sources, filename, path }) => {
    const result = parseCobertura(xml(sources, [filename]), { root: "/ws/src" });

    const report = value(result);
    expect(report.files.map((f) => f.path)).toEqual(path === undefined ? [] : [path]);
    expect(result.ok && result.warnings.length > 0).toBe(path === undefined);
  });

  it("merges two classes of one file: a line any of them ran is covered", () => {
    const doc = xml(["/ws/src"], ["a.py", "./a.py"]).replace(
      '<line number="1" hits="1"/></lines></class>',
      '<line number="1" hits="0"/><line number="2" hits="0"/></lines></class>',
    );

    const report = value(parseCobertura(doc, { root: "/ws/src" }));

    expect(report.files).toEqual([
      {
        path: "a.py",
        covered: [1],
        missing: [2],
        totals: { covered: 1, statements: 2, percent: 50 },
      },
    ]);
  });
});

import { describe, expect, it } from "vitest";
import {
  changedLines,
  coverageDelta,
  diffCoverage,
  mergeCoverage,
  parseCobertura,
  type CoverageReport,
} from "../../../src/reports/index.js";
import { fixture, fixtureText, ROOT } from "./fixtures.js";

function report(
  files: Record<
    string,
    { covered: number[]; missing: number[]; branches?: [number, number, number][] }
  >,
): CoverageReport {
  const xml = Object.entries(files)
    .map(([path, { covered, missing, branches = [] }]) => {
      const lines = [
        ...covered.map((n) => [n, 1] as const),
        ...missing.map((n) => [n, 0] as const),
      ].map(([n, hits]) => {
        const branch = branches.find(([line]) => line === n);
        const extra =
          branch === undefined
            ? ""
            : ` branch="true" condition-coverage="x (${branch[1]}/${branch[2]})"`;
        return `<line number="${n}" hits="${hits}"${extra}/>`;
      });
      return `<class filename="${path}"><lines>${lines.join("")}</lines></class>`;
    })
    .join("");
  const result = parseCobertura(
    `<coverage><packages><package><classes>${xml}</classes></package></packages></coverage>`,
  );
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

describe("mergeCoverage", () => {
  it("covers a line when any leg covered it, and keeps lines only one leg saw", () => {
    const legA = report({
      "a.py": { covered: [1, 2], missing: [3, 4] },
      "only_a.py": { covered: [1], missing: [] },
    });
    const legB = report({
      "a.py": { covered: [1, 3], missing: [2, 4] },
      "only_b.py": { covered: [], missing: [5] },
    });

    const merged = mergeCoverage([legA, legB]);

    expect(merged.files.map((f) => [f.path, f.covered, f.missing])).toEqual([
      ["a.py", [1, 2, 3], [4]],
      ["only_a.py", [1], []],
      ["only_b.py", [], [5]],
    ]);
    expect(merged.totals).toEqual({ covered: 4, statements: 6, percent: (4 * 100) / 6 });
  });

  it("keeps the best branch count per line", () => {
    const legA = report({ "a.py": { covered: [1], missing: [], branches: [[1, 1, 2]] } });
    const legB = report({ "a.py": { covered: [1], missing: [], branches: [[1, 2, 2]] } });

    const merged = mergeCoverage([legA, legB]);

    expect(merged.files[0]?.branches).toEqual([{ line: 1, covered: 2, total: 2 }]);
    expect(merged.totals.percent).toBe(100);
  });

  it("merges one report into itself unchanged", () => {
    const result = parseCobertura(fixture("shop/coverage.xml"), { root: ROOT });
    const shop = result.ok ? result.value : report({});

    expect(mergeCoverage([shop, shop])).toEqual(shop);
  });
});

describe("diffCoverage", () => {
  it("measures the real pull request patch against the real coverage", () => {
    const result = parseCobertura(fixture("shop/coverage.xml"), { root: ROOT });
    const changed = new Map([
      ["shop/cart.py", changedLines(fixtureText("shop/cart.patch"))],
      ["README.md", [1, 2]],
    ]);

    const diff = diffCoverage(result.ok ? result.value : report({}), changed);

    expect(changed.get("shop/cart.py")).toEqual([
      4, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    ]);
    expect(diff).toEqual({
      files: [
        {
          path: "shop/cart.py",
          executable: 8,
          covered: 3,
          uncovered: [17, 22, 23, 24, 25],
          percent: 37.5,
        },
      ],
      totals: { executable: 8, covered: 3, percent: 37.5 },
    });
  });

  it.each([
    {
      name: "no changed line is executable",
      changed: [["a.py", [5, 6]]],
      totals: { executable: 0, covered: 0 },
    },
    { name: "nothing changed", changed: [], totals: { executable: 0, covered: 0 } },
    {
      name: "a file coverage does not know",
      changed: [["b.py", [1]]],
      totals: { executable: 0, covered: 0 },
    },
    {
      name: "duplicates count once",
      changed: [["a.py", [1, 1, 2]]],
      totals: { executable: 2, covered: 1, percent: 50 },
    },
  ] as const)("has no percent to give when $name", ({ changed, totals }) => {
    const coverage = report({ "a.py": { covered: [1], missing: [2] } });

    const diff = diffCoverage(
      coverage,
      new Map(changed.map(([path, lines]) => [path, [...lines]])),
    );

    expect(diff.totals).toEqual(totals);
  });
});

describe("coverageDelta", () => {
  const base = report({
    "a.py": { covered: [1], missing: [2] },
    "gone.py": { covered: [1], missing: [] },
    "same.py": { covered: [1], missing: [] },
  });
  const head = report({
    "a.py": { covered: [1, 2], missing: [] },
    "new.py": { covered: [], missing: [1] },
    "same.py": { covered: [1], missing: [] },
  });

  it("says plainly when there is no base", () => {
    expect(coverageDelta(head, undefined)).toEqual({ kind: "no-base", current: 75 });
  });

  it("compares with a base report, file by file", () => {
    expect(coverageDelta(head, base)).toEqual({
      kind: "compared",
      current: 75,
      base: 75,
      delta: 0,
      files: [
        { path: "a.py", current: 100, base: 50, delta: 50 },
        { path: "gone.py", base: 100 },
        { path: "new.py", current: 0 },
      ],
    });
  });

  it("compares with stored base totals alone", () => {
    expect(coverageDelta(head, { covered: 1, statements: 2, percent: 50 })).toEqual({
      kind: "compared",
      current: 75,
      base: 50,
      delta: 25,
      files: [],
    });
  });
});

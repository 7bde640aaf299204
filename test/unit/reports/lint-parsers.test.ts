import { describe, expect, it } from "vitest";
import {
  parseBlack,
  parseFlake8,
  parseMypy,
  parsePylint,
  type Finding,
} from "../../../src/reports/index.js";
import { fixture, ROOT } from "./fixtures.js";

const where = (findings: readonly Finding[]) =>
  findings.map(
    (f) =>
      `${f.path}:${f.line}${f.column === undefined ? "" : `:${f.column}`} ${f.rule} ${f.severity}`,
  );

describe("parsers of the lint and type tools' real output", () => {
  it.each([
    {
      name: "flake8 (./ paths)",
      parse: parseFlake8,
      file: "messy/flake8.txt",
      expected: [
        "messy/__init__.py:2:1 F401 warning",
        "messy/__init__.py:6:30 F821 error",
        "messy/__init__.py:13:2 E225 warning",
      ],
    },
    {
      name: "pylint parseable",
      parse: parsePylint,
      file: "messy/pylint.txt",
      expected: [
        "messy/__init__.py:5 C0116 notice",
        "messy/__init__.py:6 E0602 error",
        "messy/__init__.py:9 C0116 notice",
        "messy/__init__.py:13 C0103 notice",
      ],
    },
    {
      name: "mypy",
      parse: parseMypy,
      file: "messy/mypy.txt",
      expected: [
        "messy/__init__.py:6 name-defined error",
        "messy/__init__.py:10 return-value error",
      ],
    },
    {
      name: "mypy with columns and error ends",
      parse: parseMypy,
      file: "shop/mypy-columns.txt",
      expected: ["shop/stock.py:6:28 arg-type error", "shop/stock.py:11:5 return-value error"],
    },
    {
      name: "black --check --diff (absolute paths)",
      parse: parseBlack,
      file: "messy/black.diff",
      expected: ["messy/__init__.py:10 black warning"],
    },
    { name: "a clean flake8 run", parse: parseFlake8, file: "vault/flake8.txt", expected: [] },
    { name: "a clean black run", parse: parseBlack, file: "vault/black.diff", expected: [] },
    { name: "a clean pylint run", parse: parsePylint, file: "vault/pylint.txt", expected: [] },
    { name: "a clean mypy run", parse: parseMypy, file: "vault/mypy.txt", expected: [] },
  ])("$name", ({ parse, file, expected }) => {
    const result = parse(fixture(file), { root: ROOT });

    expect(result.ok && where(result.value)).toEqual(expected);
  });

  it("keeps what each tool says", () => {
    const flake8 = parseFlake8(fixture("shop/flake8.txt"), { root: ROOT });
    const pylint = parsePylint(fixture("shop/pylint.txt"), { root: ROOT });
    const mypy = parseMypy(fixture("shop/mypy-columns.txt"), { root: ROOT });

    expect(flake8.ok && flake8.value[0]).toEqual({
      tool: "flake8",
      path: "shop/cart.py",
      line: 3,
      column: 1,
      severity: "warning",
      rule: "F401",
      title: "flake8 F401",
      message: "'os' imported but unused",
    });
    expect(pylint.ok && pylint.value.find((f) => f.rule === "W0621")).toEqual({
      tool: "pylint",
      path: "tests/test_cart.py",
      line: 31,
      severity: "warning",
      rule: "W0621",
      title: "pylint W0621 (redefined-outer-name) in test_needs_broken",
      message: "Redefining name 'broken' from outer scope (line 27)",
      toolSeverity: "warning",
    });
    expect(mypy.ok && mypy.value[0]).toEqual({
      tool: "mypy",
      path: "shop/stock.py",
      line: 6,
      column: 28,
      endColumn: 33,
      severity: "error",
      rule: "arg-type",
      title: "mypy [arg-type]",
      message: 'Argument 2 to "get" of "dict" has incompatible type "str"; expected "int"',
      toolSeverity: "error",
    });
  });

  it("gives black's finding the file's diff as details", () => {
    const result = parseBlack(fixture("shop/black.diff"), { root: ROOT });

    expect(result.ok && result.value).toEqual([
      expect.objectContaining({
        path: "shop/stock.py",
        line: 14,
        message:
          "black would reformat this file (1 hunk, the first at line 14); run black to fix it",
        details: expect.stringContaining('+LEVELS = {"low": 1, "high": 10}') as unknown,
      }),
    ]);
  });
});

describe("line formats", () => {
  it.each([
    {
      line: "pkg/a.py:3: error: Bad  [misc]",
      expected: { line: 3, rule: "misc", severity: "error" },
    },
    {
      line: "pkg/a.py:3:7: error: Bad",
      expected: { line: 3, column: 7, rule: "error", severity: "error" },
    },
    {
      line: "pkg/a.py:3:7:5:2: error: Spans lines  [x]",
      expected: { line: 3, endLine: 5, column: 7, rule: "x" },
    },
    {
      line: "pkg/a.py:9: note: By itself",
      expected: { line: 9, rule: "note", severity: "notice" },
    },
  ])("mypy: $line", ({ line, expected }) => {
    const result = parseMypy(line);

    expect(result.ok && result.value[0]).toMatchObject(expected);
  });

  it("folds a mypy note into the error it follows", () => {
    const text =
      'a.py:4: error: Module has no attribute "x"  [attr-defined]\na.py:4: note: See https://mypy.rtfd.io\n';

    const result = parseMypy(text);

    expect(result.ok && result.value.map((f) => f.message)).toEqual([
      'Module has no attribute "x"\nSee https://mypy.rtfd.io',
    ]);
  });

  it("appends pylint's multi-line messages (duplicate-code) to their finding", () => {
    const text = [
      "************* Module b",
      "b.py:1: [R0801(duplicate-code), ] Similar lines in 2 files",
      "==a:[0:5]",
      "==b:[0:5]",
      "    x = 1",
      "",
      "------------------------------------",
      "Your code has been rated at 9.00/10",
    ].join("\n");

    const result = parsePylint(text);

    expect(result.ok && result.value.map((f) => f.message)).toEqual([
      "Similar lines in 2 files\n==a:[0:5]\n==b:[0:5]\n    x = 1",
    ]);
  });

  it.each([
    {
      name: "absolute paths outside the workspace",
      line: "/usr/lib/python3/x.py:1:1: E501 line too long",
    },
    { name: "paths climbing out of it", line: "../other/x.py:1:1: E501 line too long" },
  ])("drops flake8 findings outside the repository: $name", ({ line }) => {
    const result = parseFlake8(`${line}\n./ok.py:2:1: W291 trailing whitespace\n`, { root: ROOT });

    expect(result.ok && [where(result.value), result.warnings]).toEqual([
      ["ok.py:2:1 W291 warning"],
      ["1 finding(s) outside the repository were left out"],
    ]);
  });

  it("reads black's diff of a file added at its first line and of several files", () => {
    const diff = [
      "--- a.py\t2024-01-01 00:00:00+00:00",
      "+++ a.py\t2024-01-01 00:00:01+00:00",
      "@@ -1,2 +1,2 @@",
      "-x=1",
      "+x = 1",
      " y = 2",
      "--- pkg/b.py\t2024-01-01 00:00:00+00:00",
      "+++ pkg/b.py\t2024-01-01 00:00:01+00:00",
      "@@ -7,4 +7,4 @@",
      " def f():",
      "     pass",
      "-z=3",
      "+z = 3",
      "@@ -20,3 +20,3 @@",
      "-w=4",
      "+w = 4",
    ].join("\n");

    const result = parseBlack(diff);

    expect(result.ok && result.value.map((f) => [f.path, f.line, f.message])).toEqual([
      [
        "a.py",
        1,
        "black would reformat this file (1 hunk, the first at line 1); run black to fix it",
      ],
      [
        "pkg/b.py",
        9,
        "black would reformat this file (2 hunks, the first at line 9); run black to fix it",
      ],
    ]);
  });
});

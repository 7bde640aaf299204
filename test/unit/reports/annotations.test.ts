import { describe, expect, it } from "vitest";
import {
  batches,
  parseBandit,
  parseBlack,
  parseFlake8,
  parseMypy,
  toAnnotations,
  type Finding,
} from "../../../src/reports/index.js";
import { fixture, ROOT } from "./fixtures.js";

const finding = (overrides: Partial<Finding> = {}): Finding => ({
  tool: "flake8",
  path: "a.py",
  line: 3,
  severity: "warning",
  rule: "E501",
  title: "flake8 E501",
  message: "line too long",
  ...overrides,
});

describe("toAnnotations", () => {
  it("maps real findings onto the Checks API's annotation fields", () => {
    const mypy = parseMypy(fixture("shop/mypy-columns.txt"), { root: ROOT });
    const bandit = parseBandit(fixture("shop/bandit.json"), { root: ROOT });
    const flake8 = parseFlake8(fixture("shop/flake8.txt"), { root: ROOT });
    const all = [mypy, bandit, flake8].flatMap((r) => (r.ok ? r.value : []));

    const { annotations, omitted } = toAnnotations(all);

    expect(omitted).toBe(0);
    expect(annotations.slice(0, 3)).toEqual([
      {
        path: "shop/cart.py",
        start_line: 17,
        end_line: 17,
        annotation_level: "failure",
        title: "B602 subprocess_popen_with_shell_equals_true",
        message: "subprocess call with shell=True identified, security issue.",
        raw_details:
          "https://bandit.readthedocs.io/en/latest/plugins/b602_subprocess_popen_with_shell_equals_true.html",
      },
      {
        path: "shop/stock.py",
        start_line: 6,
        end_line: 6,
        start_column: 28,
        end_column: 33,
        annotation_level: "failure",
        title: "mypy [arg-type]",
        message: 'Argument 2 to "get" of "dict" has incompatible type "str"; expected "int"',
      },
      expect.objectContaining({
        path: "shop/stock.py",
        start_line: 11,
        annotation_level: "failure",
      }),
    ]);
    expect(annotations.map((a) => a.annotation_level)).toEqual([
      "failure",
      "failure",
      "failure",
      "warning",
      "warning",
      "warning",
      "warning",
      "warning",
      "notice",
    ]);
  });

  it.each([
    {
      name: "one line with a column",
      f: finding({ column: 4 }),
      expected: { start_line: 3, end_line: 3, start_column: 4, end_column: 4 },
    },
    {
      name: "one line with a span",
      f: finding({ column: 4, endColumn: 9 }),
      expected: { start_column: 4, end_column: 9 },
    },
    {
      name: "several lines: no columns",
      f: finding({ column: 4, endLine: 5 }),
      expected: { start_line: 3, end_line: 5 },
    },
  ])("columns: $name", ({ f, expected }) => {
    const [annotation] = toAnnotations([f]).annotations;

    expect(annotation).toMatchObject(expected);
    if (f.endLine !== undefined) expect(annotation).not.toHaveProperty("start_column");
  });

  it("gives black's annotation the diff as raw details", () => {
    const black = parseBlack(fixture("messy/black.diff"), { root: ROOT });

    const [annotation] = toAnnotations(black.ok ? black.value : []).annotations;

    expect(annotation?.raw_details).toContain("-x=1\n+x = 1");
  });

  it("trims titles to 255 characters and messages to 64 KB of UTF-8", () => {
    const f = finding({
      title: "t".repeat(300),
      message: "é".repeat(40_000),
      details: "d".repeat(70_000),
    });

    const [annotation] = toAnnotations([f]).annotations;

    expect(Array.from(annotation?.title ?? "").length).toBe(255);
    expect(Buffer.byteLength(annotation?.message ?? "")).toBeLessThanOrEqual(65_535);
    expect(annotation?.message.endsWith("é…")).toBe(true);
    expect(Buffer.byteLength(annotation?.raw_details ?? "")).toBeLessThanOrEqual(65_535);
  });

  it("keeps the most severe within the cap and counts the rest", () => {
    const many = [
      ...Array.from({ length: 1100 }, (_, i) => finding({ line: i + 1, severity: "notice" })),
      finding({ path: "z.py", severity: "error" }),
    ];

    const { annotations, omitted } = toAnnotations(many);

    expect([annotations.length, omitted, annotations[0]?.path]).toEqual([1000, 101, "z.py"]);
  });

  it("honours a smaller cap", () => {
    expect(toAnnotations([finding(), finding()], { cap: 1 }).omitted).toBe(1);
  });
});

describe("batches", () => {
  it.each([
    { count: 120, size: 50, expected: [50, 50, 20] },
    { count: 50, size: 50, expected: [50] },
    { count: 0, size: 50, expected: [] },
    { count: 3, size: 1, expected: [1, 1, 1] },
  ])("splits $count annotations into requests of $size", ({ count, size, expected }) => {
    const items = Array.from({ length: count }, (_, i) => i);

    const split = batches(items, size);

    expect(split.map((b) => b.length)).toEqual(expected);
    expect(split.flat()).toEqual(items);
  });
});

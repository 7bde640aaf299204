import { describe, expect, it } from "vitest";
import {
  addedLines,
  changedLines,
  compareFindings,
  fingerprint,
  newSuppressions,
  parseBandit,
  pullRequestChanges,
  type Finding,
} from "../../../src/reports/index.js";
import { fixtureText, ROOT } from "./fixtures.js";

describe("changedLines", () => {
  it.each([
    { name: "an addition", patch: "@@ -1,2 +1,3 @@\n a\n+b\n c", lines: [2] },
    { name: "a modification", patch: "@@ -3,3 +3,3 @@\n a\n-b\n+B\n c", lines: [4] },
    { name: "a deletion only", patch: "@@ -3,3 +3,2 @@\n a\n-b\n c", lines: [] },
    { name: "a new file", patch: "@@ -0,0 +1,2 @@\n+a\n+b", lines: [1, 2] },
    { name: "one-line hunks without counts", patch: "@@ -1 +1 @@\n-a\n+b", lines: [1] },
    {
      name: "no newline at the end",
      patch: "@@ -1,1 +1,2 @@\n a\n+b\n\\ No newline at end of file",
      lines: [2],
    },
    {
      name: "two hunks",
      patch: "@@ -1,2 +1,2 @@\n-a\n+A\n b\n@@ -10,2 +10,3 @@\n j\n+k\n l",
      lines: [1, 11],
    },
    { name: "CRLF lines", patch: "@@ -1,2 +1,2 @@\r\n-a\r\n+A\r\n b\r\n", lines: [1] },
    {
      name: "a full git diff with headers after a hunk",
      patch:
        "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\ndiff --git a/y b/y\n--- a/y\n+++ b/y\n@@ -5,0 +6 @@\n+c",
      lines: [1, 6],
    },
    { name: "an empty patch", patch: "", lines: [] },
  ])("reads $name", ({ patch, lines }) => {
    expect(changedLines(patch)).toEqual(lines);
  });

  it("keeps the added text for the suppression scan", () => {
    expect(addedLines("@@ -1,1 +1,2 @@\n a\n+import os  # noqa: F401")).toEqual([
      { line: 2, text: "import os  # noqa: F401" },
    ]);
  });

  it("collects the changes of a pull request's files", () => {
    const changes = pullRequestChanges([
      { filename: "shop/cart.py", patch: fixtureText("shop/cart.patch") },
      { filename: "logo.png" },
      { filename: "docs/gone.md", patch: "@@ -1,2 +0,0 @@\n-a\n-b" },
    ]);

    expect([...changes.changed.keys()]).toEqual(["shop/cart.py"]);
    expect(changes.added.slice(0, 2)).toEqual([
      { path: "shop/cart.py", line: 4, text: "import subprocess" },
      { path: "shop/cart.py", line: 13, text: "" },
    ]);
  });
});

describe("newSuppressions", () => {
  it.each([
    { text: "x = eval(y)  # nosec", kinds: ["nosec"] },
    { text: "x = eval(y)  # nosec B307", kinds: ["nosec"] },
    { text: "import os  # noqa: F401", kinds: ["noqa"] },
    { text: "import os  # NOQA", kinds: ["noqa"] },
    { text: "y: int = f()  # type: ignore[assignment]", kinds: ["type: ignore"] },
    { text: "def f():  # pragma: no cover", kinds: ["pragma: no cover"] },
    { text: "x = 1  # pylint: disable=invalid-name", kinds: ["pylint: disable"] },
    { text: "run(c, shell=True)  # noqa  # nosec", kinds: ["nosec", "noqa"] },
    { text: 'print("# noqa is just text here")', kinds: [] },
    { text: "s = 'it''s # nosec'", kinds: [] },
    { text: 's = "a \\" # noqa"', kinds: [] },
    { text: "# a comment about nosecurity", kinds: [] },
  ])("finds $kinds in $text", ({ text, kinds }) => {
    const found = newSuppressions([{ path: "a.py", line: 3, text }]);

    expect(found.map((s) => s.kind)).toEqual(kinds);
  });

  it("looks at Python files only, and says where", () => {
    const found = newSuppressions([
      { path: "setup.cfg", line: 1, text: "# noqa" },
      { path: "pkg/stubs.pyi", line: 7, text: "def f() -> int: ...  # type: ignore" },
    ]);

    expect(found).toEqual([
      { path: "pkg/stubs.pyi", line: 7, kind: "type: ignore", comment: "# type: ignore" },
    ]);
  });
});

describe("fingerprint and compareFindings", () => {
  const uncoded: Finding = {
    tool: "bandit",
    path: "shop/cart.py",
    line: 17,
    severity: "error",
    rule: "B602",
    title: "B602",
    message: "subprocess call with shell=True identified, security issue.",
    toolSeverity: "high",
    confidence: "high",
  };
  const base: Finding = { ...uncoded, code: "    return subprocess.call(command, shell=True)" };

  it.each([
    { name: "the line moved", change: { line: 40 }, same: true },
    {
      name: "the indentation changed",
      change: { code: "return   subprocess.call(command,  shell=True)" },
      same: true,
    },
    { name: "the message was reworded", change: { message: "other words" }, same: true },
    {
      name: "the code changed",
      change: { code: "    return subprocess.call(cmd, shell=True)" },
      same: false,
    },
    { name: "another rule", change: { rule: "B603" }, same: false },
    { name: "another file", change: { path: "shop/other.py" }, same: false },
  ])("is $same when $name", ({ change, same }) => {
    expect(fingerprint({ ...base, ...change }) === fingerprint(base)).toBe(same);
  });

  it("uses a given code line over the report's, and the message when there is neither", () => {
    expect(fingerprint(base, "  return subprocess.call(command, shell=True)")).toBe(
      fingerprint(base),
    );
    expect(fingerprint({ ...uncoded, line: 3 })).toBe(fingerprint({ ...uncoded, line: 9 }));
    expect(fingerprint(uncoded)).not.toBe(fingerprint(base));
  });

  it("tells new, fixed and existing findings apart as multisets", () => {
    const moved = { ...base, line: 30 };
    const other = { ...base, rule: "B301", code: "pickle.loads(blob)" };
    const gone = { ...base, rule: "B404", code: "import subprocess" };

    const comparison = compareFindings([moved, moved, other], [base, gone]);

    expect(comparison).toEqual({ new: [moved, other], fixed: [gone], existing: [moved] });
  });

  it("compares real bandit runs: a finding that moved down stays existing", () => {
    const head = parseBandit(fixtureText("vault/bandit.json"), { root: ROOT });
    // The base had five more lines above: bandit's numbers and quoted code lines all move.
    const shifted = fixtureText("vault/bandit.json")
      .replace(/"line_number": (\d+)/g, (_, n: string) => `"line_number": ${Number(n) + 5}`)
      .replace(/(^|"|\\n)(\d+) /g, (_, before: string, n: string) => `${before}${Number(n) + 5} `);
    const baseRun = parseBandit(shifted, { root: ROOT });

    const comparison = compareFindings(head.ok ? head.value : [], baseRun.ok ? baseRun.value : []);

    expect([comparison.new.length, comparison.fixed.length, comparison.existing.length]).toEqual([
      0, 0, 4,
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { parseJunit } from "../../../src/reports/index.js";
import { fixture, ROOT } from "./fixtures.js";

describe("parseJunit on real reports", () => {
  it.each([
    {
      file: "shop/junit.xml",
      shape: "pytest 7, xunit2",
      tests: 6,
      failures: 1,
      errors: 1,
      skipped: 1,
    },
    {
      file: "shop/junit-xunit1.xml",
      shape: "pytest 7, xunit1",
      tests: 6,
      failures: 1,
      errors: 1,
      skipped: 1,
    },
    {
      file: "okcalc/junit.xml",
      shape: "pytest running unittest cases, all passing",
      tests: 2,
      failures: 0,
      errors: 0,
      skipped: 0,
    },
    {
      file: "arithmetic/junit.xml",
      shape: "pytest running unittest cases",
      tests: 2,
      failures: 1,
      errors: 0,
      skipped: 0,
    },
    {
      file: "xmlrunner/junit.xml",
      shape: "unittest-xml-reporting, two suites",
      tests: 4,
      failures: 1,
      errors: 1,
      skipped: 1,
    },
  ])("counts $file ($shape)", ({ file, tests, failures, errors, skipped }) => {
    const result = parseJunit(fixture(file), { root: ROOT });

    expect(result.ok && { ...result.value, failing: result.value.failing.length }).toMatchObject({
      tests,
      failures,
      errors,
      skipped,
      failing: failures + errors,
    });
  });

  it("lists pytest's failing cases with their message and the failing line", () => {
    const result = parseJunit(fixture("shop/junit.xml"), { root: ROOT });

    expect(
      result.ok && result.value.failing.map((test) => ({ ...test, details: undefined })),
    ).toEqual([
      {
        name: "test_wrong_total",
        classname: "tests.test_cart",
        kind: "failure",
        file: "tests/test_cart.py",
        line: 18,
        message:
          "AssertionError: adds <b>up</b> | wrong & `badly` @octocat\nassert 2 == 3\n +  where 2 = total([1, 1])",
      },
      {
        name: "test_needs_broken",
        classname: "tests.test_cart",
        kind: "error",
        file: "tests/test_cart.py",
        line: 28,
        message: 'failed on setup with "RuntimeError: fixture <boom> & | pipes"',
      },
    ]);
    expect(result.ok && result.value.timeSeconds).toBeGreaterThan(0);
  });

  it("reads unittest-xml-reporting's CDATA tracebacks, innermost frame in the repository", () => {
    const result = parseJunit(fixture("xmlrunner/junit.xml"), { root: ROOT });

    expect(
      result.ok && result.value.failing.map((f) => [f.name, f.kind, f.file, f.line, f.message]),
    ).toEqual([
      ["test_wrong", "failure", "tests/test_arithmetic.py", 15, "2 != 3"],
      [
        "test_read",
        "error",
        "tests/test_io.py",
        8,
        "[Errno 2] No such file or directory: 'data.txt'",
      ],
    ]);
    expect(result.ok && result.value.failing[1]?.details).toContain(
      'with open("data.txt") as handle:',
    );
  });

  it.each([
    { name: "pytest's 0-based line attribute", suite: "pytest", line: "8", expected: 9 },
    {
      name: "unittest-xml-reporting's 1-based line attribute",
      suite: "tests.T",
      line: "8",
      expected: 8,
    },
  ])("falls back on the test's own location: $name", ({ suite, line, expected }) => {
    const xml = `<testsuites><testsuite name="${suite}"><testcase classname="t" name="n" file="tests/t.py" line="${line}"><failure message="boom">no location here</failure></testcase></testsuite></testsuites>`;

    const result = parseJunit(xml, { root: ROOT });

    expect(result.ok && result.value.failing[0]).toMatchObject({
      file: "tests/t.py",
      line: expected,
      message: "boom",
    });
  });

  it.each([
    {
      name: "message attribute",
      body: '<failure message="short">long text</failure>',
      message: "short",
    },
    {
      name: "first line of the text",
      body: "<failure>\n\n  first line\nsecond</failure>",
      message: "first line",
    },
    { name: "the kind, when there is nothing else", body: "<error/>", message: "error" },
  ])("takes the message from the $name", ({ body, message }) => {
    const xml = `<testsuite><testcase classname="c" name="n">${body}</testcase></testsuite>`;

    const result = parseJunit(xml);

    expect(result.ok && result.value.failing[0]?.message).toBe(message);
  });

  it("reads nested suites and suites given by their attributes only", () => {
    const xml = `<testsuites>
      <testsuite name="outer"><testsuite name="inner" time="1.5"><testcase classname="a" name="b" time="1.5"/></testsuite></testsuite>
      <testsuite name="summary" tests="5" failures="1" errors="1" skipped="2" time="2"/>
    </testsuites>`;

    const result = parseJunit(xml);

    expect(result.ok && result.value).toEqual({
      tests: 6,
      failures: 1,
      errors: 1,
      skipped: 2,
      timeSeconds: 3.5,
      failing: [],
    });
  });

  it("caps the failing list, not the counts", () => {
    const cases = Array.from(
      { length: 30 },
      (_, i) => `<testcase classname="c" name="t${i}"><failure message="m"/></testcase>`,
    );

    const result = parseJunit(`<testsuite>${cases.join("")}</testsuite>`, {
      limits: { items: 10 },
    });

    expect(
      result.ok && [result.value.failures, result.value.failing.length, result.warnings],
    ).toEqual([30, 10, ["20 failing test(s) beyond the first 10 are counted, not listed"]]);
  });
});

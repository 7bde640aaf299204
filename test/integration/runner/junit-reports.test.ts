import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import {
  fixture,
  interpreter,
  removeDir,
  reportsDir,
  request,
  runJob,
  tempDir,
} from "./harness.js";

const Config = z.object({ test: z.object({ run: z.string() }) });

/** The test command of a fixture's own config. */
async function configuredRun(project: string): Promise<string> {
  const text = await readFile(join(fixture(project), ".github/pylot.yml"), "utf8");
  return Config.parse(parse(text)).test.run;
}

const WRONG = {
  name: "test_wrong",
  classname: "test_arithmetic.ArithmeticTest",
  kind: "failure",
  file: "tests/test_arithmetic.py",
  line: 15,
  message: "AssertionError: 2 != 3",
  details: expect.stringContaining("AssertionError: 2 != 3") as unknown,
};

describe("per-test results of unittest commands", () => {
  let workdir: string;

  beforeEach(async () => {
    workdir = await tempDir();
  });
  afterEach(async () => {
    await removeDir(workdir);
  });

  it.each(["3.9", "3.12", "3.13"])(
    "records failing-test's unittest run on %s in junit.xml, console and exit code unchanged",
    async (version) => {
      const run = await configuredRun("failing-test");
      const python = await interpreter(version);
      const job = request({
        python: version,
        project: "failing-test",
        steps: [{ kind: "test", run, coverage: false }],
      });

      const { result } = await runJob(workdir, job);

      expect(result).toMatchObject({
        conclusion: "failure",
        summary: `tests failed (exit 1) on Python ${python.full}`,
        reports: { "junit.xml": join(reportsDir(workdir, `job-${version}`), "junit.xml") },
        tests: { tests: 2, failures: 1, errors: 0, skipped: 0, failing: [WRONG] },
      });
      expect(result.logTail).toContain(
        `$ ${run.replace(/^python /, 'python -c "$PYLOT_UNITTEST_JUNIT" ')}`,
      );
      expect(result.logTail).toContain("FAIL: test_wrong (test_arithmetic.ArithmeticTest");
      expect(result.logTail).toMatch(/Ran 2 tests in [\d.]+s\n\nFAILED \(failures=1\)/);
    },
  );

  it("records it under coverage too, and coverage measures the tests, not the recorder", async () => {
    const python = await interpreter("3.11");
    const job = request({
      python: "3.11",
      project: "failing-test",
      systemSitePackages: true,
      steps: [{ kind: "test", run: await configuredRun("failing-test"), coverage: true }],
    });

    const { result } = await runJob(workdir, job);

    const reports = reportsDir(workdir, "job-3.11");
    expect(result).toMatchObject({
      conclusion: "failure",
      summary: `tests failed (exit 1) on Python ${python.full}`,
      reports: {
        "junit.xml": join(reports, "junit.xml"),
        "coverage.xml": join(reports, "coverage.xml"),
      },
      tests: { tests: 2, failures: 1, failing: [WRONG] },
    });
    expect(result.logTail).toContain(
      '$ python -c "$PYLOT_UNITTEST_JUNIT" -m coverage run -m unittest discover -s tests',
    );
    const measured = result.coverageReport?.files.map((file) => file.path) ?? [];
    expect(measured).toContain("tests/test_arithmetic.py");
    expect(measured.filter((path) => path.includes("<"))).toEqual([]);
  });

  it("reports every unittest outcome: subtests, skips, expected failures, set-up and import errors", async () => {
    const job = request({
      python: "3.12",
      project: "unittest-outcomes",
      steps: [{ kind: "test", run: await configuredRun("unittest-outcomes"), coverage: false }],
    });

    const { result } = await runJob(workdir, job);

    expect(result.logTail).toContain(
      "FAILED (failures=2, errors=3, skipped=1, expected failures=1, unexpected successes=1)",
    );
    expect(result.tests).toMatchObject({ tests: 9, failures: 3, errors: 3, skipped: 2 });
    const failing = (result.tests?.failing ?? []).map((test) => [
      test.classname,
      test.name,
      test.kind,
    ]);
    expect(failing.sort()).toEqual([
      ["test_outcomes.BrokenSetUp", "setUpClass", "error"],
      ["test_outcomes.Outcomes", "test_errors", "error"],
      ["test_outcomes.Outcomes", "test_fails", "failure"],
      ["test_outcomes.Outcomes", "test_subtests (number=1)", "failure"],
      ["test_outcomes.Outcomes", "test_unexpected_success", "failure"],
      ["unittest.loader._FailedTest", "test_import_error", "error"],
    ]);
    const fails = result.tests?.failing.find((test) => test.name === "test_fails");
    expect(fails?.message).toBe("AssertionError: <a & b> ]]> \ufffd\ufffd");
    expect(fails).toMatchObject({ file: "tests/test_outcomes.py", line: 15 });
  });

  it("keeps unittest's own exit code when no test ran", async () => {
    const job = request({
      python: "3.12",
      project: "failing-test",
      steps: [
        { kind: "test", run: "python -m unittest discover -s tests -k no_such", coverage: false },
      ],
    });

    const { result } = await runJob(workdir, job);

    expect(result).toMatchObject({ steps: [{ name: "venv" }, { name: "test", exitCode: 5 }] });
    expect(result.tests).toMatchObject({ tests: 0, failures: 0, errors: 0 });
    expect(result.logTail).toContain("NO TESTS RAN");
  });

  it("reads the JUnit XML any other runner writes to $PYLOT_JUNIT_PATH", async () => {
    const xml =
      '<testsuite tests="1"><testcase classname="suite" name="case"><failure message="no"/></testcase></testsuite>';
    const job = request({
      python: "3.12",
      project: "failing-test",
      steps: [{ kind: "test", run: `printf '%s' '${xml}' > "$PYLOT_JUNIT_PATH"`, coverage: false }],
    });

    const { result } = await runJob(workdir, job);

    expect(result).toMatchObject({
      conclusion: "success",
      tests: {
        tests: 1,
        failures: 1,
        failing: [{ classname: "suite", name: "case", message: "no" }],
      },
    });
  });
});

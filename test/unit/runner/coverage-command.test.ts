import { describe, expect, it } from "vitest";
import { coverageCommand } from "../../../src/runner/index.js";

describe("coverageCommand", () => {
  it.each([
    ["python -m pytest", "python -m coverage run -m pytest"],
    ["python3 -m pytest -q tests", "python -m coverage run -m pytest -q tests"],
    [
      "python3.12 -m unittest discover -s tests",
      "python -m coverage run -m unittest discover -s tests",
    ],
    ["pytest", "python -m coverage run -m pytest"],
    [
      "pytest -x --maxfail=2 && echo done",
      "python -m coverage run -m pytest -x --maxfail=2 && echo done",
    ],
    ["py.test tests", "python -m coverage run -m pytest tests"],
    ["nose2", "python -m coverage run -m nose2"],
    ["nose2 -v -s tests; echo done", "python -m coverage run -m nose2 -v -s tests; echo done"],
    ["python -m nose2 -v", "python -m coverage run -m nose2 -v"],
    ["python runtests.py --fast", "python -m coverage run runtests.py --fast"],
    ["python tools/run_tests.py", "python -m coverage run tools/run_tests.py"],
    ["  python -m pytest  ", "python -m coverage run -m pytest"],
    ["python -m coverage run -m pytest", "python -m coverage run -m pytest"],
  ])("rewrites %j", (run, command) => {
    const rewritten = coverageCommand(run);

    expect(rewritten).toEqual({ ok: true, command });
  });

  it.each([
    ["make test"],
    ["tox -e py312"],
    ["python -c 'import tests'"],
    ["FOO=1 pytest"],
    ["pytestx"],
    ["nose2x"],
    ["nose2;echo"],
    ["python -W error -m pytest"],
    ["python"],
  ])("refuses %j, naming the supported shapes", (run) => {
    const rewritten = coverageCommand(run);

    expect(rewritten).toEqual({
      ok: false,
      message: `coverage needs a test command starting with "python -m <module>", "pytest", "nose2" or "python <script>.py" (got "${run}")`,
    });
  });

  it("shortens a long command in its message", () => {
    const rewritten = coverageCommand(`make ${"x".repeat(200)}`);

    expect(rewritten.ok ? "" : rewritten.message).toMatch(/\(got "make x{52}\.\.\."\)$/);
  });
});

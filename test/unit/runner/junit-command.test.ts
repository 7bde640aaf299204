import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { coverageCommand } from "../../../src/runner/coverage-command.js";
import { junitCommand } from "../../../src/runner/junit-command.js";

const RECORDER = `-c "$PYLOT_UNITTEST_JUNIT"`;
const NOSE2_JUNIT = `--plugin nose2.plugins.junitxml --junit-xml --junit-xml-path "$PYLOT_JUNIT_PATH"`;

describe("junitCommand", () => {
  it.each([
    ["python -m unittest", `python ${RECORDER} -m unittest`],
    ["python -m unittest discover -s tests", `python ${RECORDER} -m unittest discover -s tests`],
    ["python3 -m unittest -v tests.test_x", `python3 ${RECORDER} -m unittest -v tests.test_x`],
    ["python3.12  -m\tunittest  -b", `python3.12 ${RECORDER}  -m\tunittest  -b`],
    ["  python -m unittest", `python ${RECORDER} -m unittest`],
    [
      "python -m coverage run -m unittest discover",
      `python ${RECORDER} -m coverage run -m unittest discover`,
    ],
    [
      "python -m coverage run --branch --rcfile=.coveragerc -m unittest",
      `python ${RECORDER} -m coverage run --branch --rcfile=.coveragerc -m unittest`,
    ],
    ["nose2", `nose2 ${NOSE2_JUNIT}`],
    ["nose2 -v -s tests", `nose2 ${NOSE2_JUNIT} -v -s tests`],
    ["python -m nose2 -v", `python -m nose2 ${NOSE2_JUNIT} -v`],
    ["python3 -m nose2\n", `python3 -m nose2 ${NOSE2_JUNIT}\n`],
    [
      "python -m coverage run -m nose2 -s tests",
      `python -m coverage run -m nose2 ${NOSE2_JUNIT} -s tests`,
    ],
  ])("rewrites %j", (run, command) => {
    const rewritten = junitCommand(run);

    expect(rewritten.command).toBe(command);
    expect(rewritten.runner).toBe(/unittest/.test(run) ? "unittest" : "nose2");
  });

  it.each([
    ["python -m pytest"],
    ["pytest -q"],
    ["python -m coverage run -m pytest"],
    ["tox -e py312"],
    ["make test"],
    ["./run-tests.sh"],
    ["python runtests.py"],
    ["python -m unittestx"],
    ["python -m unittest.mock"],
    ["python -m unittest;echo hi"],
    ["python -m nose2x"],
    ["nose2;echo hi"],
    ["nose2x -v"],
    ["./nose2"],
    ["FOO=1 python -m unittest"],
    ["cd sub && python -m unittest"],
    ["echo python -m unittest"],
    ["python -W error -m unittest"],
    ['"python" -m unittest'],
    ["python -m coverage run --source pkg -m unittest"],
    ["python -m coverage run --data-file=$(touch x) -m unittest"],
  ])("leaves %j as written", (run) => {
    const rewritten = junitCommand(run);

    expect(rewritten).toEqual({ runner: undefined, command: run });
  });

  it("composes with coverage: coverage first, then the runner's report", () => {
    const unittest = coverageCommand("python3 -m unittest discover -s tests");
    const nose2 = coverageCommand("nose2 -v");

    expect(unittest.ok && junitCommand(unittest.command).command).toBe(
      `python ${RECORDER} -m coverage run -m unittest discover -s tests`,
    );
    expect(nose2.ok && junitCommand(nose2.command).command).toBe(
      `python -m coverage run -m nose2 ${NOSE2_JUNIT} -v`,
    );
  });
});

/**
 * Runs a command line in /bin/sh with python, python3 and nose2 as functions that print their
 * arguments: what each program would receive, and what else the line does.
 */
function argvSeen(line: string): string {
  const stubs = ["python", "python3", "nose2"]
    .map((name) => `${name}() { printf '<%s>' ${name} "$@"; printf '\\n'; }`)
    .join("\n");
  return execFileSync("/bin/sh", ["-c", `${stubs}\n${line}`], {
    encoding: "utf8",
    env: {
      PATH: "/usr/bin:/bin",
      PYLOT_UNITTEST_JUNIT: `print("a") # "$(echo no)" 'b' \`echo no\` *`,
      PYLOT_JUNIT_PATH: "/reports/a b/$HOME/junit.xml",
    },
  });
}

describe("junitCommand in a real shell", () => {
  it.each([
    "python -m unittest discover -s 'my tests' -p \"test_*.py\"; echo after",
    "python -m unittest $(echo tests.test_a) `echo tests.test_b` && echo ok || echo ko",
    "python3 -m unittest tests.test_a 2>&1 | cat; echo $?",
    "python -m unittest -k '$(rm -rf /)' \\\n  tests",
    "python -m coverage run -m unittest * # comment $(echo no)",
  ])("%j: unittest gets the recorder, everything else means what it did", (run) => {
    const recorder = `<-c><print("a") # "$(echo no)" 'b' \`echo no\` *>`;

    const before = argvSeen(run);
    const after = argvSeen(junitCommand(run).command);

    expect(after).toBe(before.replace(/^<python3?>/, (python) => `${python}${recorder}`));
    expect(after).not.toBe(before);
  });

  it.each([
    "nose2 -s 'my tests' \"$HOME\"; echo after",
    "python -m nose2 $(echo -v) | cat",
    "python3 -m nose2 -v && echo 'done; really'",
    "python -m coverage run -m nose2 -s tests # `echo no`",
  ])("%j: nose2 gets its plugin's options, everything else means what it did", (run) => {
    const options =
      "<--plugin><nose2.plugins.junitxml><--junit-xml><--junit-xml-path></reports/a b/$HOME/junit.xml>";

    const before = argvSeen(run);
    const after = argvSeen(junitCommand(run).command);

    expect(after).toBe(before.replace(/^((?:<[^>\n]*>)*?<nose2>)/, (head) => `${head}${options}`));
    expect(after).not.toBe(before);
  });
});

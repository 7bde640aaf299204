import { describe, expect, it } from "vitest";
import {
  compareVersions,
  parsePythonsSetting,
  type Interpreter,
} from "../../../src/runner/interpreter-choice.js";
import { defaultInterpreter, pickInterpreter } from "../../../src/runner/index.js";

const python = (full: string, extra: Partial<Interpreter> = {}): Interpreter => ({
  version: full.split(".").slice(0, 2).join("."),
  full,
  path: `/opt/python/${full}/bin/python`,
  source: "pyenv",
  ...extra,
});

describe("pickInterpreter", () => {
  const list = [python("3.12.1"), python("3.11.2"), python("3.10.13")];

  it.each([["3.12"], ["3.11"], ["3.10"]])("finds Python %s", (version) => {
    const choice = pickInterpreter(list, version);

    expect(choice).toMatchObject({ ok: true, interpreter: { version } });
  });

  it.each([
    [list, "3.9", "Python 3.9 is not available on this runner (available: 3.10, 3.11, 3.12)"],
    [list, "3.1", "Python 3.1 is not available on this runner (available: 3.10, 3.11, 3.12)"],
    [[], "3.12", "Python 3.12 is not available on this runner (available: none)"],
  ])("explains a missing version (%#)", (available, version, message) => {
    const choice = pickInterpreter(available, version);

    expect(choice).toEqual({ ok: false, message });
  });
});

describe("defaultInterpreter", () => {
  it.each([
    {
      name: "python3 on PATH wins over newer ones",
      list: [python("3.13.0"), python("3.11.2", { python3OnPath: true, source: "PATH" })],
      full: "3.11.2",
    },
    {
      name: "else the newest",
      list: [python("3.9.18"), python("3.13.0"), python("3.10.1")],
      full: "3.13.0",
    },
    { name: "none for an empty list", list: [], full: undefined },
  ])("$name", ({ list, full }) => {
    const chosen = defaultInterpreter(list);

    expect(chosen?.full).toBe(full);
  });
});

describe("compareVersions", () => {
  it.each([
    ["3.9", "3.10", -1],
    ["3.10.2", "3.10.10", -1],
    ["3.12", "3.12.0", 0],
    ["3.13.0", "3.12.9", 1],
  ])("%s vs %s", (a, b, sign) => {
    const result = Math.sign(compareVersions(a, b));

    expect(result).toBe(sign);
  });
});

describe("parsePythonsSetting", () => {
  it.each([
    { value: undefined, entries: [] },
    { value: "", entries: [] },
    {
      value: "3.11=/usr/bin/python3.11, 3.12=/opt/py/bin/python",
      entries: [
        { version: "3.11", path: "/usr/bin/python3.11" },
        { version: "3.12", path: "/opt/py/bin/python" },
      ],
    },
    { value: "/usr/bin/python3,", entries: [{ version: undefined, path: "/usr/bin/python3" }] },
  ])("reads $value", ({ value, entries }) => {
    const setting = parsePythonsSetting(value);

    expect(setting).toEqual({ ok: true, entries });
  });

  it.each([
    ["3=/usr/bin/python3", 'PYLOT_PYTHONS: "3" is not a version like 3.12'],
    ["3.11=python3.11", 'PYLOT_PYTHONS: "python3.11" is not an absolute path'],
  ])("refuses %s", (value, message) => {
    const setting = parsePythonsSetting(value);

    expect(setting).toEqual({ ok: false, message });
  });
});

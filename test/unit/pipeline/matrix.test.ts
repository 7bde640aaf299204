import { describe, expect, it } from "vitest";
import { expandMatrix, legKey, legLabel } from "../../../src/pipeline/matrix.js";

const leg = (python: string, os: string, extra: Record<string, string> = {}) => ({
  python,
  os,
  extra,
});

describe("expandMatrix", () => {
  it.each([
    {
      name: "python × os",
      input: { python: ["3.11", "3.12"], os: ["linux", "macos"], include: [], exclude: [] },
      legs: [
        leg("3.11", "linux"),
        leg("3.11", "macos"),
        leg("3.12", "linux"),
        leg("3.12", "macos"),
      ],
    },
    {
      name: "exclude drops every matching leg",
      input: {
        python: ["3.11", "3.12"],
        os: ["linux", "macos"],
        include: [],
        exclude: [{ os: "macos", python: "3.11" }],
      },
      legs: [leg("3.11", "linux"), leg("3.12", "linux"), leg("3.12", "macos")],
    },
    {
      name: "exclude by one axis",
      input: {
        python: ["3.11", "3.12"],
        os: ["linux", "macos"],
        include: [],
        exclude: [{ os: "macos" }],
      },
      legs: [leg("3.11", "linux"), leg("3.12", "linux")],
    },
    {
      name: "include adds an extra value to matching legs",
      input: {
        python: ["3.11", "3.12"],
        os: ["linux"],
        include: [{ python: "3.12", django: "5.0" }],
        exclude: [],
      },
      legs: [leg("3.11", "linux"), leg("3.12", "linux", { django: "5.0" })],
    },
    {
      name: "include without base keys extends every leg",
      input: {
        python: ["3.11", "3.12"],
        os: ["linux"],
        include: [{ experimental: "no" }],
        exclude: [],
      },
      legs: [
        leg("3.11", "linux", { experimental: "no" }),
        leg("3.12", "linux", { experimental: "no" }),
      ],
    },
    {
      name: "include that matches nothing is a new leg with default os",
      input: { python: ["3.11"], os: ["linux"], include: [{ python: "3.13" }], exclude: [] },
      legs: [leg("3.11", "linux"), leg("3.13", "linux")],
    },
    {
      name: "include can bring back an excluded combination",
      input: {
        python: ["3.11", "3.12"],
        os: ["linux", "macos"],
        include: [{ python: "3.11", os: "macos" }],
        exclude: [{ os: "macos" }],
      },
      legs: [leg("3.11", "linux"), leg("3.12", "linux"), leg("3.11", "macos")],
    },
    {
      name: "a repeated include does not duplicate legs",
      input: {
        python: ["3.11"],
        os: ["linux"],
        include: [{ python: "3.13" }, { python: "3.13" }],
        exclude: [],
      },
      legs: [leg("3.11", "linux"), leg("3.13", "linux")],
    },
    {
      name: "excluding everything leaves nothing",
      input: { python: ["3.11"], os: ["linux"], include: [], exclude: [{ python: "3.11" }] },
      legs: [],
    },
  ])("$name", ({ input, legs }) => {
    const result = expandMatrix(input);

    expect(result).toEqual(legs);
  });
});

describe("leg names", () => {
  it.each([
    { value: leg("3.12", "linux"), label: "3.12, linux", key: "test-3.12-linux" },
    {
      value: leg("3.12", "linux", { django: "5.0" }),
      label: "3.12, linux, 5.0",
      key: "test-3.12-linux-5.0",
    },
    {
      value: leg("3.12", "ubuntu latest", { x: "a/b" }),
      label: "3.12, ubuntu latest, a/b",
      key: "test-3.12-ubuntu_latest-a_b",
    },
  ])("$label", ({ value, label, key }) => {
    expect(legLabel(value)).toBe(label);
    expect(legKey(value)).toBe(key);
  });
});

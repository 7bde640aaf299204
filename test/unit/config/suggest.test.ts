import { describe, expect, it } from "vitest";
import { editDistance, suggest } from "../../../src/config/suggest.js";

describe("editDistance", () => {
  it.each([
    { a: "python", b: "python", distance: 0 },
    { a: "pyhton", b: "python", distance: 1 },
    { a: "flake9", b: "flake8", distance: 1 },
    { a: "hgh", b: "high", distance: 1 },
    { a: "", b: "abc", distance: 3 },
    { a: "kitten", b: "sitting", distance: 3 },
  ])("$a → $b is $distance", ({ a, b, distance }) => {
    const result = editDistance(a, b);

    expect(result).toBe(distance);
  });
});

describe("suggest", () => {
  const rootKeys = ["python", "os", "venv", "matrix", "timeout-minutes", "install", "lint"];

  it.each([
    { word: "pyhton", candidates: rootKeys, expected: "python" },
    { word: "Python", candidates: rootKeys, expected: "python" },
    { word: "timeout_minutes", candidates: rootKeys, expected: "timeout-minutes" },
    { word: "timeout", candidates: rootKeys, expected: "timeout-minutes" },
    { word: "python-version", candidates: rootKeys, expected: "python" },
    { word: "lnit", candidates: rootKeys, expected: "lint" },
    { word: "hgh", candidates: ["none", "low", "medium", "high"], expected: "high" },
    { word: "HIGH", candidates: ["none", "low", "medium", "high"], expected: "high" },
    { word: "writer", candidates: ["read", "write", "admin"], expected: "write" },
    { word: "docker", candidates: rootKeys, expected: undefined },
    { word: "x", candidates: rootKeys, expected: undefined },
    { word: "", candidates: rootKeys, expected: undefined },
    { word: "a".repeat(500), candidates: rootKeys, expected: undefined },
  ])("$word → $expected", ({ word, candidates, expected }) => {
    const result = suggest(word, candidates);

    expect(result).toBe(expected);
  });
});

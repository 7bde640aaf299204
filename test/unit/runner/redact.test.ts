import { describe, expect, it } from "vitest";
import { createRedactor, secretNeedles } from "../../../src/runner/redact.js";

describe("secretNeedles", () => {
  it.each([
    { secrets: ["abc", "abcd"], needles: ["abcd"] },
    { secrets: ["token-1", "token-12345"], needles: ["token-12345", "token-1"] },
    {
      secrets: ["-----BEGIN KEY-----\nAAAAbbbb\n-----END KEY-----"],
      needles: [
        "-----BEGIN KEY-----\nAAAAbbbb\n-----END KEY-----",
        "-----BEGIN KEY-----",
        "-----END KEY-----",
        "AAAAbbbb",
      ],
    },
    { secrets: [], needles: [] },
  ])("$secrets → $needles", ({ secrets, needles }) => {
    const result = secretNeedles(secrets);

    expect(result).toEqual(needles);
  });
});

describe("createRedactor", () => {
  it.each([
    ["token=hunter22 and hunter22", ["hunter22"], "token=*** and ***"],
    ["a regex-looking s3cr.t+ value", ["s3cr.t+"], "a regex-looking *** value"],
    ["s3cr3t-long contains s3cr3t", ["s3cr3t", "s3cr3t-long"], "*** contains ***"],
    ["nothing to hide", [], "nothing to hide"],
    ["on and off", ["on"], "on and off"],
  ])("redacts %j", (text, secrets, expected) => {
    const redacted = createRedactor(secrets).redact(text);

    expect(redacted).toBe(expected);
  });

  it.each([
    { text: "xxxxxxxxxxxsecre", emit: "xxxxxxxxxxx", rest: "secre" },
    { text: "xxxxxxxxxxsecret", emit: "xxxxxxxxxx***", rest: "" },
    { text: "xxsecretxxxxxxxx", emit: "xx***xxx", rest: "xxxxx" },
    { text: "xxxxxxxxxxxxxsec", emit: "xxxxxxxxxxx", rest: "xxsec" },
    { text: "abc", emit: "", rest: "abc" },
  ])("keeps back what may start a secret in $text", ({ text, emit, rest }) => {
    const result = createRedactor(["secret"]).redactPrefix(text);

    expect(result).toEqual({ emit, rest });
  });
});

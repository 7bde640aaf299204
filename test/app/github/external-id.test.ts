import { describe, expect, it } from "vitest";
import {
  formatExternalId,
  parseExternalId,
  type CheckRef,
} from "../../../src/github/external-id.js";

const PIPELINE = "0b6c7f3e-2a59-4c37-9f0e-8d2a1f1e9d10";
const SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

describe("external ids", () => {
  it.each<[CheckRef, string]>([
    [
      { kind: "job", jobId: `${PIPELINE}:test-3.12-linux`, attempt: 2 },
      `job/2/${PIPELINE}:test-3.12-linux`,
    ],
    [{ kind: "summary", pipelineId: PIPELINE, round: 1 }, `summary/1/${PIPELINE}`],
    [{ kind: "matrix", pipelineId: PIPELINE, round: 3 }, `matrix/3/${PIPELINE}`],
    [{ kind: "config", sha: SHA }, `config/${SHA}`],
    [{ kind: "gate", sha: SHA }, `gate/${SHA}`],
  ])("writes %o as %s and reads it back", (ref, text) => {
    const written = formatExternalId(ref);

    const read = parseExternalId(written);

    expect(written).toBe(text);
    expect(read).toEqual(ref);
  });

  it.each([
    [""],
    [null],
    [undefined],
    ["42"],
    ["job/0/abc:lint"],
    ["job/x/abc:lint"],
    ["job/1/a/b"],
    ["summary/1/"],
    ["config/not-a-sha"],
    ["deploy/1/abc"],
  ])("ignores %s, which is not ours", (value) => {
    const read = parseExternalId(value);

    expect(read).toBeUndefined();
  });
});

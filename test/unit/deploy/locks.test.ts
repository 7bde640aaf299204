import { describe, expect, it } from "vitest";
import {
  formatSince,
  lockDecision,
  locksToReleaseOnClose,
  type LockDecisionInput,
  type LockOutcome,
} from "../../../src/deploy/locks.js";
import type { EnvLock } from "../../../src/deploy/types.js";

const held: EnvLock = {
  env: "staging",
  pr: 12,
  actor: "alice",
  reason: "QA",
  since: "2024-05-01T09:30:00.000Z",
};
const request = { env: "staging", pr: 7, actor: "bob", at: "2024-05-02T10:00:00.000Z" };

describe("lockDecision", () => {
  it.each<{ name: string; input: LockDecisionInput; expected: LockOutcome }>([
    {
      name: "lock a free environment",
      input: {
        kind: "lock",
        current: undefined,
        request: { ...request, reason: "demo" },
        permission: "write",
      },
      expected: {
        kind: "acquire",
        lock: {
          env: "staging",
          pr: 7,
          actor: "bob",
          reason: "demo",
          since: "2024-05-02T10:00:00.000Z",
        },
      },
    },
    {
      name: "lock without a reason",
      input: { kind: "lock", current: undefined, request, permission: "write" },
      expected: {
        kind: "acquire",
        lock: { env: "staging", pr: 7, actor: "bob", since: "2024-05-02T10:00:00.000Z" },
      },
    },
    {
      name: "lock it again from the same pull request (another person)",
      input: { kind: "lock", current: held, request: { ...request, pr: 12 }, permission: "write" },
      expected: { kind: "already-held", lock: held },
    },
    {
      name: "lock one held by another pull request, even as admin",
      input: { kind: "lock", current: held, request, permission: "admin" },
      expected: {
        kind: "refused",
        reason: "held-by-other",
        lock: held,
        message: "staging is locked by PR #12 (alice) since 2024-05-01 09:30 UTC: QA.",
      },
    },
    {
      name: "unlock your own",
      input: {
        kind: "unlock",
        current: held,
        request: { ...request, pr: 12 },
        permission: "write",
      },
      expected: { kind: "release", lock: held, override: false },
    },
    {
      name: "unlock a free environment",
      input: { kind: "unlock", current: undefined, request, permission: "write" },
      expected: { kind: "nothing-to-release", env: "staging" },
    },
    {
      name: "admin unlocks another pull request's lock",
      input: { kind: "unlock", current: held, request, permission: "admin" },
      expected: { kind: "release", lock: held, override: true },
    },
    {
      name: "maintainer cannot unlock another's",
      input: { kind: "unlock", current: held, request, permission: "maintain" },
      expected: {
        kind: "refused",
        reason: "not-holder",
        lock: held,
        message:
          "staging is locked by PR #12 (alice) since 2024-05-01 09:30 UTC: QA. Only that pull request or an admin can unlock it.",
      },
    },
  ])("$name", ({ input, expected }) => {
    const result = lockDecision(input);

    expect(result).toEqual(expected);
  });
});

describe("locksToReleaseOnClose", () => {
  it.each([
    { pr: 12, expected: ["staging", "production"] },
    { pr: 7, expected: ["qa"] },
    { pr: 99, expected: [] },
  ])("PR #$pr releases $expected", ({ pr, expected }) => {
    const locks = [held, { ...held, env: "production" }, { ...held, env: "qa", pr: 7 }];

    const result = locksToReleaseOnClose(pr, locks);

    expect(result.map((lock) => lock.env)).toEqual(expected);
  });
});

describe("formatSince", () => {
  it.each([
    ["2024-05-01T09:30:59.999Z", "2024-05-01 09:30 UTC"],
    ["2024-05-01T11:30:00+02:00", "2024-05-01 09:30 UTC"],
    ["yesterday", "yesterday"],
  ])("%s → %s", (iso, expected) => {
    const result = formatSince(iso);

    expect(result).toBe(expected);
  });
});

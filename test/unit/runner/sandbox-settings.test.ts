import { describe, expect, it } from "vitest";
import { UidPool } from "../../../src/runner/confinement.js";
import { readSandboxSettings } from "../../../src/runner/sandbox-settings.js";

const MIB = 1024 * 1024;

describe("readSandboxSettings", () => {
  it("defaults to the strongest isolation, the runner's uid and generous limits", () => {
    const settings = readSandboxSettings({});

    expect(settings).toEqual({
      isolation: "auto",
      uids: [],
      gid: undefined,
      limits: { maxProcs: 1024, maxFileBytes: 4096 * MIB, maxMemoryBytes: undefined },
    });
  });

  it.each([
    ["one uid", { PYLOT_RUNNER_UID: "65534" }, { uids: [65534], gid: undefined }],
    ["a range", { PYLOT_RUNNER_UID: "60000-60002" }, { uids: [60000, 60001, 60002] }],
    ["a gid", { PYLOT_RUNNER_UID: "1001", PYLOT_RUNNER_GID: "1002" }, { gid: 1002 }],
    ["no namespaces", { PYLOT_JOB_ISOLATION: "process-group" }, { isolation: "process-group" }],
    [
      "limits in MiB, 0 for none",
      { PYLOT_JOB_MAX_PROCS: "0", PYLOT_JOB_MAX_FILE_MB: "8", PYLOT_JOB_MAX_MEMORY_MB: "512" },
      { limits: { maxProcs: undefined, maxFileBytes: 8 * MIB, maxMemoryBytes: 512 * MIB } },
    ],
  ])("reads %s", (_what, env, expected) => {
    const settings = readSandboxSettings(env);

    expect(settings).toMatchObject(expected);
  });

  it.each([
    [{ PYLOT_RUNNER_UID: "nobody" }, /PYLOT_RUNNER_UID must be a uid such as 65534/],
    [{ PYLOT_RUNNER_UID: "0" }, /must not include 0: jobs would run as root/],
    [{ PYLOT_RUNNER_UID: "0-5" }, /must not include 0/],
    [{ PYLOT_RUNNER_UID: "10-5" }, /PYLOT_RUNNER_UID must be a uid/],
    [{ PYLOT_RUNNER_UID: "1000-9000" }, /at most 4096 uids/],
    [{ PYLOT_RUNNER_GID: "1000" }, /PYLOT_RUNNER_GID needs PYLOT_RUNNER_UID/],
    [{ PYLOT_RUNNER_UID: "1000", PYLOT_RUNNER_GID: "0" }, /must not be 0/],
    [{ PYLOT_JOB_ISOLATION: "none" }, /PYLOT_JOB_ISOLATION must be "auto" or "process-group"/],
    [{ PYLOT_JOB_MAX_PROCS: "-1" }, /PYLOT_JOB_MAX_PROCS must be a whole number/],
    [{ PYLOT_JOB_MAX_FILE_MB: "1.5" }, /PYLOT_JOB_MAX_FILE_MB must be a whole number/],
  ])("refuses %o with a message that says what to write", (env, message) => {
    expect(() => readSandboxSettings(env)).toThrow(message);
  });
});

describe("UidPool", () => {
  it("gives each running job a uid of its own while there are enough, then shares", () => {
    const pool = new UidPool([10, 11]);

    const taken = [pool.take(undefined), pool.take(99), pool.take(undefined)];

    expect(taken).toEqual([
      { uid: 10, gid: 10 },
      { uid: 11, gid: 99 },
      { uid: 10, gid: 10 },
    ]);
    expect([pool.exclusive(10), pool.exclusive(11)]).toEqual([false, true]);
    pool.give(10);
    expect(pool.exclusive(10)).toBe(true);
  });

  it("has nothing to give without uids", () => {
    expect(new UidPool([]).take(undefined)).toBeUndefined();
  });
});

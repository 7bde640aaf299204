import { describe, expect, it } from "vitest";
import { graceMs, runnerLabels } from "../../../src/cli/runner.js";
import { redactRedisUrl } from "../../../src/dispatch/queue/connection.js";
import { decodeRunJob, resultOf } from "../../../src/dispatch/queue/messages.js";
import {
  bullJobId,
  messageId,
  parseDuration,
  runQueueName,
} from "../../../src/dispatch/queue/names.js";
import {
  canRun,
  noRunnerSummary,
  runnerQueues,
  type RunnerInfo,
} from "../../../src/dispatch/queue/runner-info.js";
import { SlotGate } from "../../../src/dispatch/queue/slot-gate.js";

/** The pure parts of the queue: names both sides must agree on, messages, the budget gate. */

function runner(name: string, pythons: string[], labels = ["linux"]): RunnerInfo {
  return { id: `${name}-1`, name, pythons, labels, concurrency: 2, startedAt: "2025-01-01" };
}

describe("queue names", () => {
  it.each([
    [{ python: "3.12", os: "linux" }, "jobs-py3.12-linux"],
    [{ python: "3.9", os: "ubuntu-22.04" }, "jobs-py3.9-ubuntu-22.04"],
  ])("names the queue of %j %s", (labels, name) => {
    expect(runQueueName(labels)).toBe(name);
  });

  it.each([
    [{ python: "3.12", os: "linux:evil" }],
    [{ python: "3.12 ", os: "linux" }],
    [{ python: "", os: "linux" }],
  ])("refuses a label BullMQ or a key could misread: %j", (labels) => {
    expect(() => runQueueName(labels)).toThrow(TypeError);
  });

  it.each([
    ["4f1c:test-3.12-linux", 1, "4f1c%3Atest-3.12-linux#1"],
    ["4f1c:lint", 3, "4f1c%3Alint#3"],
    ["a%3A:b", 2, "a%253A%3Ab#2"],
  ])("makes a BullMQ id of %s attempt %d without ':'", (jobId, attempt, id) => {
    expect(bullJobId(jobId, attempt)).toBe(id);
    expect(messageId(id, "finished")).toBe(`${id}.finished`);
  });

  it.each([
    ["300", 300_000],
    ["90s", 90_000],
    ["5m", 300_000],
    ["1500ms", 1_500],
    ["1h", 3_600_000],
    [" 2.5s ", 2_500],
    ["0", undefined],
    ["-5", undefined],
    ["soon", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("reads the duration %j as %j ms", (value, ms) => {
    expect(parseDuration(value)).toBe(ms);
  });

  it.each([
    ["redis://:hunter2@redis.internal:6379/0", "redis://:****@redis.internal:6379/0"],
    ["redis://127.0.0.1:6379", "redis://127.0.0.1:6379"],
    ["not a url", "(not a URL)"],
  ])("masks the password of %s", (url, shown) => {
    expect(redactRedisUrl(url)).toBe(shown);
  });
});

describe("runners and labels", () => {
  it.each([
    [runner("a", ["3.11", "3.12"]), { python: "3.12", os: "linux" }, true],
    [runner("a", ["3.11", "3.12"]), { python: "3.9", os: "linux" }, false],
    [runner("a", ["3.12"], ["linux", "gpu"]), { python: "3.12", os: "gpu" }, true],
    [runner("a", ["3.12"]), { python: "3.12", os: "macos" }, false],
  ])("%j can run %j: %s", (info, need, expected) => {
    expect(canRun(info, need)).toBe(expected);
  });

  it("consumes one queue per python and label", () => {
    expect(runnerQueues(runner("a", ["3.11", "3.12"], ["linux", "gpu"]))).toEqual([
      "jobs-py3.11-linux",
      "jobs-py3.11-gpu",
      "jobs-py3.12-linux",
      "jobs-py3.12-gpu",
    ]);
  });

  it.each([
    [
      [runner("host-a", ["3.11", "3.12"])],
      "no runner can take this job: none has Python 3.9 on linux (live runners: host-a [3.11, 3.12 linux])",
    ],
    [
      [runner("host-b", ["3.13"], ["linux", "gpu"]), runner("host-a", ["3.12"])],
      "no runner can take this job: none has Python 3.9 on linux (live runners: host-a [3.12 linux], host-b [3.13 linux gpu])",
    ],
    [[], "no runner can take this job: none has Python 3.9 on linux (no live runners)"],
  ])("explains a job no runner takes, with %j live", (live, summary) => {
    expect(noRunnerSummary({ python: "3.9", os: "linux" }, live)).toBe(summary);
  });

  it.each([
    [undefined, { ok: true, value: ["linux"] }],
    ["gpu, ubuntu-22.04,,linux", { ok: true, value: ["linux", "gpu", "ubuntu-22.04"] }],
    ["gpu,big box", { ok: false }],
  ])("reads PYLOT_RUNNER_LABELS %j", (setting, expected) => {
    expect(runnerLabels(setting)).toMatchObject(expected);
  });
});

describe("PYLOT_SHUTDOWN_GRACE_SECONDS", () => {
  it.each([
    [undefined, 30_000],
    ["", 30_000],
    ["0", 0],
    ["2.5", 2_500],
    ["-1", 30_000],
    ["soon", 30_000],
  ])("reads %j as %d ms", (setting, ms) => {
    expect(graceMs(setting)).toBe(ms);
  });
});

describe("queue messages", () => {
  const result = {
    jobId: "p:test",
    attempt: 2,
    conclusion: "success",
    summary: "tests passed",
    startedAt: "t0",
    finishedAt: "t1",
    logTail: "",
    steps: [],
    reports: {},
    timings: {},
  };

  it.each([
    ["a valid result", result, { conclusion: "success", summary: "tests passed" }],
    [
      "another job's result",
      { ...result, jobId: "p:other" },
      {
        conclusion: "failure",
        summary: "runner host-a sent an invalid result: it names another job",
      },
    ],
    ["garbage", { conclusion: "success" }, { conclusion: "failure", jobId: "p:test", attempt: 2 }],
  ])("applies %s as %j", (_what, sent, applied) => {
    const message = {
      kind: "finished" as const,
      jobId: "p:test",
      attempt: 2,
      runner: "host-a",
      result: sent,
    };

    expect(resultOf(message, "now")).toMatchObject(applied);
  });

  it.each([
    ["null", null],
    ["a job without spec", { jobId: "p:x", attempt: 1 }],
    ["an unknown step", { jobId: "p:x", attempt: 1, spec: { steps: [{ kind: "rm" }] } }],
  ])("refuses run job data that is %s", (_what, data) => {
    expect(decodeRunJob(data)).toMatchObject({ ok: false });
  });
});

describe("SlotGate", () => {
  it("says when the budget is spent and when a slot frees", () => {
    const calls: string[] = [];
    const gate = new SlotGate({
      capacity: 2,
      onFull: () => calls.push("full"),
      onFree: () => calls.push("free"),
    });

    const taken = [gate.tryAcquire(), gate.tryAcquire(), gate.tryAcquire()];
    gate.release();
    const again = gate.tryAcquire();

    expect(taken).toEqual([true, true, false]);
    expect(again).toBe(true);
    expect(calls).toEqual(["full", "free", "full"]);
    expect(gate.used).toBe(2);
  });

  it.each([[0], [1.5], [-1]])("refuses a capacity of %d", (capacity) => {
    expect(() => new SlotGate({ capacity, onFull: () => 0, onFree: () => 0 })).toThrow(RangeError);
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { TICK_MS, createTerminalReporter } from "../../../src/cli/terminal-reporter.js";
import type { JobRecord, PipelineView, Reporter } from "../../../src/engine/ports.js";
import type { Conclusion } from "../../../src/pipeline/types.js";
import { T0, job, lastFrame, sink, view } from "./views.js";

type Event =
  | { readonly at: number; readonly kind: "created"; readonly view: PipelineView }
  | { readonly at: number; readonly kind: "job"; readonly job: JobRecord }
  | { readonly at: number; readonly kind: "completed"; readonly view: PipelineView };

/** Plays events against a reporter, moving its clock to each event's time first. */
async function play(options: {
  tty: boolean;
  color?: boolean;
  columns?: number;
  events: readonly Event[];
}) {
  const out = sink(options.columns);
  let clock = T0;
  const reporter = createTerminalReporter({
    out,
    tty: options.tty,
    now: () => clock,
    ...(options.color === undefined ? {} : { color: options.color }),
  });
  let current = view([]);
  for (const event of options.events) {
    clock = T0 + event.at;
    current = event.kind === "job" ? replaceJob(current, event.job) : event.view;
    await deliver(reporter, current, event);
  }
  reporter.stop();
  return out.text();
}

/** The view the engine would pass along with a changed job. */
function replaceJob(current: PipelineView, changed: JobRecord): PipelineView {
  return { ...current, jobs: current.jobs.map((j) => (j.id === changed.id ? changed : j)) };
}

function deliver(reporter: Reporter, current: PipelineView, event: Event): Promise<void> {
  switch (event.kind) {
    case "created":
      return reporter.pipelineCreated(event.view);
    case "job":
      return reporter.jobChanged(current, event.job);
    case "completed":
      return reporter.pipelineCompleted(event.view);
  }
}

const planned = view([job("lint"), job("build")]);
const lintRunning = job("lint", { state: "in_progress", startedMs: 0 });
const lintDone = job("lint", { conclusion: "success", startedMs: 0, finishedMs: 3_100 });
const buildSkipped = job("build", { conclusion: "skipped" });
const finished = view([lintDone, buildSkipped], { conclusion: "success", updatedMs: 3_200 });
const run: Event[] = [
  { at: 0, kind: "created", view: planned },
  { at: 0, kind: "job", job: job("lint", { state: "queued" }) },
  { at: 0, kind: "job", job: lintRunning },
  { at: 3_100, kind: "job", job: lintDone },
  { at: 3_100, kind: "job", job: lintDone },
  { at: 3_200, kind: "job", job: buildSkipped },
  { at: 3_200, kind: "completed", view: finished },
];

describe("terminal reporter, plain mode", () => {
  it("writes one line per state change, without ANSI", async () => {
    const text = await play({ tty: false, color: true, events: run });

    expect(text.split("\n")).toEqual([
      "[0:00] pipeline started: 2 jobs",
      "[0:00] lint: started",
      "[0:03] lint: success (3.1s)",
      "[0:03] build: skipped",
      "[0:03] pipeline: success",
      "",
    ]);
    expect(text).not.toContain("\u001b");
  });

  it.each([
    { conclusion: "failure", line: "[1:05] test: failure (65.0s)" },
    { conclusion: "timed_out", line: "[1:05] test: timed out (65.0s)" },
    { conclusion: "cancelled", line: "[1:05] test: cancelled (65.0s)" },
    { conclusion: "neutral", line: "[1:05] test: neutral (65.0s)" },
  ] satisfies { conclusion: Conclusion; line: string }[])(
    "reports a $conclusion job",
    async ({ conclusion, line }) => {
      const record = job("test", { conclusion, startedMs: 0, finishedMs: 65_000 });

      const text = await play({
        tty: false,
        events: [
          { at: 0, kind: "created", view: view([job("test")]) },
          { at: 65_000, kind: "job", job: record },
        ],
      });

      expect(text.split("\n")).toContain(line);
    },
  );

  it("names the attempt of a re-run", async () => {
    const rerun = job("lint", { state: "in_progress", attempt: 2, startedMs: 5_000 });

    const text = await play({
      tty: false,
      events: [
        { at: 0, kind: "created", view: planned },
        { at: 0, kind: "job", job: lintRunning },
        { at: 5_000, kind: "job", job: rerun },
      ],
    });

    expect(text).toContain("[0:05] lint (attempt 2): started\n");
  });
});

describe("terminal reporter, TTY mode", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("redraws the block in place and ends on the final states", async () => {
    const text = await play({ tty: true, color: false, events: run });

    expect(text).toContain("\u001b[2A");
    expect(text).toContain("\u001b[2K");
    expect(text).toMatch(/⠋ lint {3}running {4}0:00/);
    expect(lastFrame(text)).toEqual(["✓ lint   success    0:03", "○ build  skipped"]);
  });

  it.each([
    { color: true, ansi: /\u001b\[32m✓\u001b\[0m/ },
    { color: false, ansi: /^(?!.*\u001b\[\d+m)/s },
  ])("colours the block only when asked (color: $color)", async ({ color, ansi }) => {
    const text = await play({ tty: true, color, events: run });

    expect(text).toMatch(ansi);
  });

  it.each([
    { conclusion: "failure", line: "✗ t  failure    0:02" },
    { conclusion: "timed_out", line: "⏱ t  timed out  0:02" },
    { conclusion: "cancelled", line: "⊘ t  cancelled  0:02" },
  ] satisfies { conclusion: Conclusion; line: string }[])(
    "shows a $conclusion job",
    async ({ conclusion, line }) => {
      const record = job("t", { conclusion, startedMs: 0, finishedMs: 2_000 });

      const text = await play({
        tty: true,
        color: false,
        events: [{ at: 2_000, kind: "created", view: view([record]) }],
      });

      expect(lastFrame(text)).toEqual([line]);
    },
  );

  it("keeps each line narrower than the terminal", async () => {
    const long = job("test-3.12-linux-django-4.2", {
      name: "test (3.12, linux, django 4.2, extra-long-axis value)",
      state: "queued",
    });

    const text = await play({
      tty: true,
      columns: 30,
      events: [{ at: 0, kind: "created", view: view([long]) }],
    });

    expect(lastFrame(text).map((line) => line.length)).toEqual([29]);
  });

  it("ticks while a job runs and stops ticking when the pipeline completes", async () => {
    vi.useFakeTimers();
    const out = sink();
    let clock = T0;
    const reporter = createTerminalReporter({ out, tty: true, now: () => clock, color: false });
    await reporter.pipelineCreated(planned);
    await reporter.jobChanged(planned, lintRunning);

    clock = T0 + 12_000;
    vi.advanceTimersByTime(TICK_MS);

    expect(lastFrame(out.text())[0]).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] lint {3}running {4}0:12$/);
    expect(vi.getTimerCount()).toBe(1);
    await reporter.pipelineCompleted(finished);
    const before = out.text();
    clock = T0 + 60_000;
    vi.advanceTimersByTime(TICK_MS * 10);
    expect(vi.getTimerCount()).toBe(0);
    expect(out.text()).toBe(before);
  });

  it("stops ticking on stop()", async () => {
    vi.useFakeTimers();
    const reporter = createTerminalReporter({ out: sink(), tty: true, now: () => T0 });
    await reporter.pipelineCreated(view([lintRunning]));
    const running = vi.getTimerCount();

    reporter.stop();

    expect([running, vi.getTimerCount()]).toEqual([1, 0]);
  });
});

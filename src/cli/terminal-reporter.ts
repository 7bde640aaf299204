import type { JobRecord, PipelineView, Reporter } from "../engine/ports.js";
import {
  conclusionBadge,
  formatClock,
  formatSeconds,
  jobBadge,
  jobDurationMs,
  paint,
} from "./summary.js";

export interface TerminalReporterOptions {
  readonly out: NodeJS.WritableStream;
  /** A live, redrawn block when true; one plain line per change when false. */
  readonly tty: boolean;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
  /** ANSI colours in the live block; defaults to `tty`. Plain mode never uses ANSI. */
  readonly color?: boolean;
}

export type TerminalReporter = Reporter & {
  /** Stops the redraw timer; safe to call more than once. */
  stop(): void;
};

export const TICK_MS = 250;
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"] as const;
const CURSOR_UP = (lines: number) => `\u001b[${lines}A`;
const CLEAR_LINE = "\u001b[2K";
const CLEAR_BELOW = "\u001b[J";

const done = (): Promise<void> => Promise.resolve();

/** The view with `job` in place of its older record: the caller's view may predate the change. */
function withJob(view: PipelineView, job: JobRecord): PipelineView {
  const jobs = view.jobs.some((j) => j.id === job.id)
    ? view.jobs.map((j) => (j.id === job.id ? job : j))
    : [...view.jobs, job];
  return { pipeline: view.pipeline, jobs };
}

function displayName(job: JobRecord): string {
  return job.attempt > 1 ? `${job.spec.name} (attempt ${job.attempt})` : job.spec.name;
}

/** Shows a `pylot run` in a terminal, live on a TTY, line by line elsewhere (CI logs, pipes). */
export function createTerminalReporter(options: TerminalReporterOptions): TerminalReporter {
  const now = options.now ?? Date.now;
  return options.tty
    ? createLiveReporter(options.out, now, options.color ?? true)
    : createPlainReporter(options.out, now);
}

function createPlainReporter(out: NodeJS.WritableStream, now: () => number): TerminalReporter {
  let startedAt: number | undefined;
  const shown = new Map<string, string>();
  const elapsed = (): string => `[${formatClock(now() - (startedAt ?? now()))}]`;

  function describe(job: JobRecord): string | undefined {
    if (job.state === "in_progress") return "started";
    if (job.state !== "completed") return undefined;
    const duration = jobDurationMs(job);
    const label = jobBadge(job).label;
    return duration === null ? label : `${label} (${formatSeconds(duration)})`;
  }

  return {
    pipelineCreated(view) {
      startedAt ??= now();
      const count = view.jobs.length;
      out.write(`${elapsed()} pipeline started: ${count} job${count === 1 ? "" : "s"}\n`);
      return done();
    },
    jobChanged(_view, job) {
      startedAt ??= now();
      const text = describe(job);
      const key = `${job.attempt}:${text ?? job.state}`;
      if (text === undefined || shown.get(job.id) === key) return done();
      shown.set(job.id, key);
      out.write(`${elapsed()} ${displayName(job)}: ${text}\n`);
      return done();
    },
    pipelineCompleted(view) {
      const { label } = conclusionBadge(view.pipeline.conclusion);
      out.write(`${elapsed()} pipeline: ${label}\n`);
      return done();
    },
    stop() {
      // Nothing runs between events in plain mode.
    },
  };
}

function columnsOf(out: NodeJS.WritableStream): number | undefined {
  const columns = "columns" in out ? out.columns : undefined;
  return typeof columns === "number" && columns > 0 ? columns : undefined;
}

interface LiveLineInput {
  readonly job: JobRecord;
  readonly width: number;
  readonly nowMs: number;
  readonly frame: number;
  readonly color: boolean;
  readonly columns: number | undefined;
}

function liveLine(input: LiveLineInput): string {
  const { job, color } = input;
  const badge = jobBadge(job);
  const symbol =
    job.state === "in_progress" ? (SPINNER[input.frame] ?? badge.symbol) : badge.symbol;
  const duration = jobDurationMs(job, input.nowMs);
  const time = duration === null ? "" : formatClock(duration);
  const name = displayName(job).padEnd(input.width);
  const label = time === "" ? badge.label : badge.label.padEnd(9);
  const plain = `${symbol} ${name}  ${label}  ${time}`.trimEnd();
  // A wrapped line would break the cursor-up arithmetic of the next redraw.
  if (input.columns !== undefined && plain.length >= input.columns) {
    return plain.slice(0, input.columns - 1);
  }
  return `${paint(symbol, badge.tone, color)} ${name}  ${paint(label, badge.tone, color)}  ${time}`.trimEnd();
}

/** The live block's lines; the spinner frame follows the clock, so redraws are repeatable. */
function renderBlock(input: {
  view: PipelineView;
  nowMs: number;
  startedAt: number;
  color: boolean;
  out: NodeJS.WritableStream;
}): string[] {
  const { view, nowMs, color } = input;
  const frame = Math.floor((nowMs - input.startedAt) / TICK_MS) % SPINNER.length;
  const width = Math.max(0, ...view.jobs.map((job) => displayName(job).length));
  const columns = columnsOf(input.out);
  return view.jobs.map((job) => liveLine({ job, width, nowMs, frame, color, columns }));
}

function createLiveReporter(
  out: NodeJS.WritableStream,
  now: () => number,
  color: boolean,
): TerminalReporter {
  let view: PipelineView | undefined;
  let drawn = 0;
  let lastFrame = "";
  let timer: NodeJS.Timeout | undefined;
  let startedAt: number | undefined;
  // Once the run is over, a late event redraws but never restarts the timer.
  let finished = false;

  function draw(): void {
    if (view === undefined) return;
    const nowMs = now();
    const lines = renderBlock({ view, nowMs, startedAt: startedAt ?? nowMs, color, out });
    const text = lines.map((line) => `${CLEAR_LINE}${line}\n`).join("");
    if (text === lastFrame) return;
    const up = drawn > 0 ? CURSOR_UP(drawn) : "";
    out.write(`${up}${text}${lines.length < drawn ? CLEAR_BELOW : ""}`);
    drawn = lines.length;
    lastFrame = text;
  }

  function stopTimer(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  function syncTimer(current: PipelineView): void {
    const running = current.jobs.some((job) => job.state === "in_progress");
    if (!running || finished) stopTimer();
    else if (timer === undefined) timer = setInterval(draw, TICK_MS).unref();
  }

  return {
    pipelineCreated(next) {
      startedAt ??= now();
      view = next;
      draw();
      syncTimer(next);
      return done();
    },
    jobChanged(next, job) {
      startedAt ??= now();
      view = withJob(next, job);
      draw();
      syncTimer(view);
      return done();
    },
    pipelineCompleted(next) {
      view = next;
      finished = true;
      draw();
      stopTimer();
      return done();
    },
    stop() {
      finished = true;
      stopTimer();
    },
  };
}

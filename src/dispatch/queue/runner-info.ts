import { z } from "zod";
import { runQueueName, type RouteLabels } from "./names.js";

/** What a runner's heartbeat says about it. Read by every bot replica. */
export const RunnerInfoSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  /** Python versions, "major.minor", ascending. */
  pythons: z.array(z.string()),
  /** `linux` plus PYLOT_RUNNER_LABELS; a job's `os` must be one of them. */
  labels: z.array(z.string()),
  concurrency: z.number().int().positive(),
  startedAt: z.string(),
});
export type RunnerInfo = z.infer<typeof RunnerInfoSchema>;

export function canRun(runner: Pick<RunnerInfo, "pythons" | "labels">, need: RouteLabels): boolean {
  return runner.pythons.includes(need.python) && runner.labels.includes(need.os);
}

/** The queues a runner consumes: one per (python, label) pair. */
export function runnerQueues(runner: Pick<RunnerInfo, "pythons" | "labels">): string[] {
  return runner.pythons.flatMap((python) =>
    runner.labels.map((os) => runQueueName({ python, os })),
  );
}

/** "host-a [3.11, 3.12 linux]" */
export function describeRunner(runner: Pick<RunnerInfo, "name" | "pythons" | "labels">): string {
  return `${runner.name} [${runner.pythons.join(", ")} ${runner.labels.join(" ")}]`;
}

/** The summary of a job that waited for a runner that never came. */
export function noRunnerSummary(need: RouteLabels, live: readonly RunnerInfo[]): string {
  const described = [...new Set(live.map(describeRunner))].sort();
  const who = described.length === 0 ? "no live runners" : `live runners: ${described.join(", ")}`;
  return `no runner can take this job: none has Python ${need.python} on ${need.os} (${who})`;
}

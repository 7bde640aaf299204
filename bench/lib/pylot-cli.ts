import { mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { baseEnv, runChild, tail } from "./processes.js";

/** The parts of `pylot run --json` the bench reads (src/cli/summary.ts renderJson). */
const RunJson = z.object({
  conclusion: z.string().nullable(),
  durationMs: z.number(),
  jobs: z.array(
    z.object({
      name: z.string(),
      kind: z.string(),
      conclusion: z.string().nullable(),
      durationMs: z.number().nullable(),
      reports: z.record(z.string(), z.string()),
    }),
  ),
});

export interface CliJob {
  readonly name: string;
  readonly kind: string;
  readonly conclusion: string | null;
  readonly durationMs: number;
  /** Step name → milliseconds, from the `<== step: … (time)` lines of the job's job.log. */
  readonly steps: Readonly<Record<string, number>>;
}

export interface CliRun {
  /** Process wall time: what the user waits. */
  readonly wallMs: number;
  readonly conclusion: string | null;
  /** The engine's pipeline time (creation to last update). */
  readonly pipelineMs: number;
  readonly jobs: readonly CliJob[];
}

const STEP_LINE = /^<== ([^:]+): .*\((\d+(?:\.\d+)?)(ms|s)\)$/;

/** Per-step times from a job.log (runner/job-progress.ts formatDuration: "850ms", "2.4s"). */
export function stepTimes(log: string): Record<string, number> {
  const steps: Record<string, number> = {};
  for (const line of log.split("\n")) {
    const match = STEP_LINE.exec(line.trim());
    if (match === null) continue;
    const [, name = "", value = "0", unit] = match;
    steps[name] = (steps[name] ?? 0) + Number(value) * (unit === "s" ? 1000 : 1);
  }
  return steps;
}

/** `npx pylot run <dir> --json` (bin/pylot.js, the built CLI) in a fresh PYLOT_WORKDIR. */
export async function pylotRun(options: {
  readonly root: string;
  readonly dir: string;
  readonly scratch: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}): Promise<CliRun> {
  const workdir = await mkdtemp(join(options.scratch, "w"));
  try {
    const run = await runChild(
      [process.execPath, join(options.root, "bin/pylot.js"), "run", options.dir, "--json"],
      {
        cwd: options.dir,
        env: baseEnv({ LOG_LEVEL: "warn", PYLOT_WORKDIR: workdir, ...options.env }),
        timeoutMs: options.timeoutMs,
      },
    );
    const parsed = RunJson.safeParse(JSON.parse(run.stdout || "null"));
    if (!parsed.success)
      throw new Error(`pylot run gave no result (exit ${run.code}):\n${tail(run.stderr)}`);
    // A coverage gate job lists its test leg's reports: each job.log is counted once.
    const seen = new Set<string>();
    const jobs = await Promise.all(
      parsed.data.jobs.map(async (job): Promise<CliJob> => {
        const logFile = job.reports["job.log"];
        const own = logFile !== undefined && !seen.has(logFile);
        if (logFile !== undefined) seen.add(logFile);
        const log = own ? await readFile(logFile, "utf8").catch(() => "") : "";
        return {
          name: job.name,
          kind: job.kind,
          conclusion: job.conclusion,
          durationMs: job.durationMs ?? 0,
          steps: stepTimes(log),
        };
      }),
    );
    return {
      wallMs: run.ms,
      conclusion: parsed.data.conclusion,
      pipelineMs: parsed.data.durationMs,
      jobs,
    };
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}

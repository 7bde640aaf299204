import { createHash } from "node:crypto";
import { chmod, mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";

export interface JobPaths {
  /** The job's own folder, removed after the job. */
  readonly root: string;
  /** The project's source; commands run here. */
  readonly src: string;
  readonly home: string;
  readonly tmp: string;
  /** Beside `src`, so tools scanning `.` never see it. */
  readonly venv: string;
  readonly venvPython: string;
  /** Outlives the job: job.log and the tools' reports. */
  readonly reports: string;
}

const MAX_SEGMENT = 80;

/** A string made safe as one path segment: no separators, no dot-names, bounded length. */
export function safeSegment(value: string): string {
  let safe = value.replace(/[^A-Za-z0-9._-]/g, "_");
  if (safe === "" || /^\.+$/.test(safe)) safe = `_${safe}`;
  if (safe.length <= MAX_SEGMENT) return safe;
  // Keep truncated names distinct: two long ids sharing a prefix must not share a folder.
  const hash = createHash("sha256").update(value).digest("hex").slice(0, 12);
  return `${safe.slice(0, MAX_SEGMENT - 13)}-${hash}`;
}

export function jobPaths(input: {
  readonly workdir: string;
  readonly jobId: string;
  readonly attempt: number;
  readonly pipelineId: string;
  readonly jobKey: string;
}): JobPaths {
  // Short on purpose: TMPDIR lives here, and tools put Unix sockets in it (black's
  // multiprocessing), whose whole path must stay under 108 bytes.
  const id = createHash("sha256").update(input.jobId).digest("hex").slice(0, 16);
  const root = join(input.workdir, "jobs", `${id}-${input.attempt}`);
  const venv = join(root, "venv");
  return {
    root,
    src: join(root, "src"),
    home: join(root, "home"),
    tmp: join(root, "tmp"),
    venv,
    venvPython: join(venv, "bin", "python"),
    reports: join(
      input.workdir,
      "reports",
      safeSegment(input.pipelineId),
      safeSegment(input.jobKey),
    ),
  };
}

/** A fresh reports folder: files of an earlier attempt must not pass for this one's. */
export async function prepareReports(paths: JobPaths): Promise<void> {
  await rm(paths.reports, { recursive: true, force: true });
  await mkdir(paths.reports, { recursive: true, mode: 0o750 });
}

/** A fresh job folder; a leftover of a crashed runner with the same id is replaced. */
export async function prepareWorkspace(paths: JobPaths): Promise<void> {
  await removeWorkspace(paths.root);
  await mkdir(paths.root, { recursive: true, mode: 0o700 });
  await Promise.all([paths.src, paths.home, paths.tmp].map((dir) => mkdir(dir, { mode: 0o700 })));
}

/** Removes a job folder, even one whose code made parts of it read-only. */
export async function removeWorkspace(root: string): Promise<void> {
  try {
    await rm(root, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    await makeWritable(root);
    await rm(root, { recursive: true, force: true, maxRetries: 2 });
  }
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => undefined);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) await makeWritable(join(dir, entry.name));
  }
}

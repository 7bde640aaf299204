/** How much a job's processes may use; undefined means no limit. */
export interface JobLimits {
  /** RLIMIT_NPROC: processes (and threads) of the job's uid. */
  readonly maxProcs: number | undefined;
  /** RLIMIT_FSIZE: the largest file a job's process may write, in bytes. */
  readonly maxFileBytes: number | undefined;
  /** RLIMIT_AS: each process's address space, in bytes. */
  readonly maxMemoryBytes: number | undefined;
}

export interface SandboxSettings {
  /** `auto`: the strongest isolation this host allows; `process-group`: no namespaces. */
  readonly isolation: "auto" | "process-group";
  /** PYLOT_RUNNER_UID: the uids jobs run as (one per running job while there are enough). */
  readonly uids: readonly number[];
  /** PYLOT_RUNNER_GID; undefined means each job's uid. */
  readonly gid: number | undefined;
  readonly limits: JobLimits;
}

const MIB = 1024 * 1024;
/** One job's worth of processes, generous for test runners that fork per CPU. */
const DEFAULT_MAX_PROCS = 1024;
/** Large enough for the biggest wheels pip downloads (GPU builds of torch). */
const DEFAULT_MAX_FILE_MB = 4096;
const MAX_UIDS = 4096;

export class SandboxSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxSettingError";
  }
}

function wholeNumber(name: string, value: string, example: string): number {
  if (!/^\d{1,10}$/.test(value))
    throw new SandboxSettingError(
      `${name} must be a whole number such as ${example}, not "${value}"`,
    );
  return Number(value);
}

/** A limit variable: unset or empty means the default, 0 means none. */
function limit(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number | undefined,
  unit = 1,
): number | undefined {
  const value = env[name]?.trim() ?? "";
  if (value === "") return fallback === undefined ? undefined : fallback * unit;
  const number = wholeNumber(name, value, "512 (0 for no limit)");
  return number === 0 ? undefined : number * unit;
}

/** "65534" or a range "60000-60015". */
function runnerUids(value: string | undefined): number[] {
  const text = value?.trim() ?? "";
  if (text === "") return [];
  const match = /^(\d{1,10})(?:-(\d{1,10}))?$/.exec(text);
  const first = Number(match?.[1]);
  const last = match?.[2] === undefined ? first : Number(match[2]);
  if (match === null || last < first || last - first >= MAX_UIDS || last > 0xfffffffe)
    throw new SandboxSettingError(
      `PYLOT_RUNNER_UID must be a uid such as 65534, or a range such as 60000-60015 (at most ${MAX_UIDS} uids), not "${text}"`,
    );
  if (first === 0)
    throw new SandboxSettingError("PYLOT_RUNNER_UID must not include 0: jobs would run as root");
  return Array.from({ length: last - first + 1 }, (_, index) => first + index);
}

/** Reads the PYLOT_JOB_* and PYLOT_RUNNER_* variables; throws a SandboxSettingError on bad ones. */
export function readSandboxSettings(env: NodeJS.ProcessEnv): SandboxSettings {
  const isolation = env.PYLOT_JOB_ISOLATION?.trim() ?? "";
  if (!["", "auto", "process-group"].includes(isolation))
    throw new SandboxSettingError(
      `PYLOT_JOB_ISOLATION must be "auto" or "process-group", not "${isolation}"`,
    );
  const uids = runnerUids(env.PYLOT_RUNNER_UID);
  const gidText = env.PYLOT_RUNNER_GID?.trim() ?? "";
  const gid = gidText === "" ? undefined : wholeNumber("PYLOT_RUNNER_GID", gidText, "65534");
  if (gid !== undefined && uids.length === 0)
    throw new SandboxSettingError("PYLOT_RUNNER_GID needs PYLOT_RUNNER_UID");
  if (gid === 0)
    throw new SandboxSettingError("PYLOT_RUNNER_GID must not be 0: jobs would be in root's group");
  return {
    isolation: isolation === "process-group" ? "process-group" : "auto",
    uids,
    gid,
    limits: {
      maxProcs: limit(env, "PYLOT_JOB_MAX_PROCS", DEFAULT_MAX_PROCS),
      maxFileBytes: limit(env, "PYLOT_JOB_MAX_FILE_MB", DEFAULT_MAX_FILE_MB, MIB),
      maxMemoryBytes: limit(env, "PYLOT_JOB_MAX_MEMORY_MB", undefined, MIB),
    },
  };
}

/** The defaults, for callers that read no environment (tests of the executor). */
export const DEFAULT_SANDBOX_SETTINGS: SandboxSettings = readSandboxSettings({});

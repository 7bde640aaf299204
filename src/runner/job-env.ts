/** Where a job finds system tools after its venv; executor option `systemPath` overrides it. */
export const DEFAULT_SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin";

export interface JobEnvInput {
  readonly venv: string;
  readonly home: string;
  readonly tmp: string;
  readonly systemPath: string;
  readonly sha: string;
  readonly ref: string;
  /** "major.minor" of the job's interpreter. */
  readonly python: string;
  /** The job's display name. */
  readonly job: string;
  readonly secrets: Readonly<Record<string, string>>;
}

export interface JobEnv {
  readonly env: Readonly<Record<string, string>>;
  /** Secret names that were not given to the job, with why. */
  readonly dropped: readonly { readonly name: string; readonly reason: string }[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The whole environment of a job's processes, built from nothing: the runner's own variables
 * (tokens, database URLs, keys) never reach user code. Our variables win over a secret of the
 * same name, since a secret called PATH or HOME would break the job in confusing ways.
 */
export function buildJobEnv(input: JobEnvInput): JobEnv {
  const own: Record<string, string> = {
    PATH: `${input.venv}/bin:${input.systemPath}`,
    HOME: input.home,
    TMPDIR: input.tmp,
    LANG: "C.UTF-8",
    CI: "true",
    VIRTUAL_ENV: input.venv,
    PYTHONUNBUFFERED: "1",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_NO_INPUT: "1",
    PYLOT_SHA: input.sha,
    PYLOT_REF: input.ref,
    PYLOT_PYTHON: input.python,
    PYLOT_JOB: input.job,
  };
  const env: Record<string, string> = {};
  const dropped: { name: string; reason: string }[] = [];
  for (const [name, value] of Object.entries(input.secrets)) {
    if (!ENV_NAME.test(name)) dropped.push({ name, reason: "not a valid variable name" });
    else if (name in own) dropped.push({ name, reason: "reserved by the runner" });
    else env[name] = value;
  }
  return { env: { ...env, ...own }, dropped };
}

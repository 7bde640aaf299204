import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import {
  Confinement,
  dropArgs,
  UidPool,
  type IsolationLevel,
  type JobFolders,
} from "./confinement.js";
import { SandboxSettingError, type JobLimits, type SandboxSettings } from "./sandbox-settings.js";

export type { IsolationLevel } from "./confinement.js";

export interface Sandbox {
  readonly level: IsolationLevel;
  /** The limits applied to every job process; undefined when prlimit is missing. */
  readonly limits: JobLimits | undefined;
  /** Uids jobs run as; empty when they run as the runner's own uid. */
  readonly uids: readonly number[];
  /** One job's confinement: call `release` when the job is over. */
  lease(folders: JobFolders): Confinement;
}

const TOOL_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"];
const PROBE = ["/bin/sh", "-c", "exit 0"];
const NAMESPACE_TAIL = ["--pid", "--fork", "--kill-child", "--mount-proc"];

async function findTool(name: string): Promise<string | undefined> {
  for (const dir of TOOL_DIRS) {
    const path = join(dir, name);
    if (
      await access(path, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  return undefined;
}

function succeeds(argv: readonly string[]): Promise<boolean> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 10_000 }, (error) => {
      resolve(error === null);
    });
  });
}

/** The unshare prefix that works on this host, strongest first; undefined when none does. */
async function namespacePrefix(
  settings: SandboxSettings,
  root: boolean,
): Promise<{ level: IsolationLevel; prefix: string[] } | undefined> {
  if (settings.isolation === "process-group") return undefined;
  const unshare = await findTool("unshare");
  if (unshare === undefined) return undefined;
  const candidates: { level: IsolationLevel; prefix: string[] }[] = root
    ? [{ level: "pid-namespace", prefix: [unshare, ...NAMESPACE_TAIL, "--"] }]
    : ["--map-current-user", "--map-root-user"].map((map) => ({
        level: "user-namespace" as const,
        prefix: [unshare, "--user", map, ...NAMESPACE_TAIL, "--"],
      }));
  for (const candidate of candidates) {
    if (await succeeds([...candidate.prefix, ...PROBE])) return candidate;
  }
  return undefined;
}

function limitArgs(limits: JobLimits): string[] {
  return [
    ...(limits.maxProcs === undefined ? [] : [`--nproc=${limits.maxProcs}`]),
    ...(limits.maxFileBytes === undefined ? [] : [`--fsize=${limits.maxFileBytes}`]),
    ...(limits.maxMemoryBytes === undefined ? [] : [`--as=${limits.maxMemoryBytes}`]),
  ];
}

async function limitPrefix(limits: JobLimits): Promise<string[] | undefined> {
  const args = limitArgs(limits);
  if (args.length === 0) return [];
  const prlimit = await findTool("prlimit");
  if (prlimit === undefined) return undefined;
  const prefix = [prlimit, ...args, "--"];
  return (await succeeds([...prefix, ...PROBE])) ? prefix : undefined;
}

/** `setpriv` to drop to a runner uid; throws when uids are configured and this cannot work. */
async function setprivTool(settings: SandboxSettings, uid: number): Promise<string | undefined> {
  if (settings.uids.length === 0) return undefined;
  if (uid !== 0)
    throw new SandboxSettingError(
      `PYLOT_RUNNER_UID needs the runner to run as root (it runs as uid ${uid}); unset it or start the runner as root`,
    );
  const setpriv = await findTool("setpriv");
  const first = settings.uids[0] ?? 0;
  const probe = setpriv === undefined ? [] : [setpriv, ...dropArgs(first, settings.gid ?? first)];
  if (setpriv === undefined || !(await succeeds([...probe, ...PROBE])))
    throw new SandboxSettingError(
      "PYLOT_RUNNER_UID needs setpriv (util-linux) on the runner's host, allowed to change uid",
    );
  return setpriv;
}

/**
 * Finds once what this host allows (namespaces, prlimit, setpriv) and logs the isolation level
 * jobs get. Throws a SandboxSettingError when PYLOT_RUNNER_UID cannot be honoured, since
 * running jobs as the runner's uid instead would be a silent downgrade.
 */
export async function detectSandbox(settings: SandboxSettings, logger: Logger): Promise<Sandbox> {
  const uid = process.getuid?.() ?? -1;
  const [namespace, limits, setpriv] = await Promise.all([
    namespacePrefix(settings, uid === 0),
    limitPrefix(settings.limits),
    setprivTool(settings, uid),
  ]);
  const level = namespace?.level ?? "process-group";
  const pool = new UidPool(settings.uids);
  const sandbox: Sandbox = {
    level,
    limits: limits === undefined ? undefined : settings.limits,
    uids: settings.uids,
    lease: (folders) =>
      new Confinement({
        folders,
        level,
        prefix: [...(namespace?.prefix ?? []), ...(limits ?? [])],
        user: setpriv === undefined ? undefined : pool.take(settings.gid),
        setpriv,
        pool,
        maxFileBytes: limits === undefined ? undefined : settings.limits.maxFileBytes,
      }),
  };
  logIsolation(sandbox, settings, logger);
  return sandbox;
}

function logIsolation(sandbox: Sandbox, settings: SandboxSettings, logger: Logger): void {
  const ends =
    sandbox.level === "process-group"
      ? "jobs run in process groups: a process that calls setsid can outlive its job"
      : `jobs run in a ${sandbox.level.replace("-", " ")}: every process ends with its job`;
  const who =
    sandbox.uids.length === 0
      ? "as the runner's own uid (they can read what it can)"
      : `as uid ${settings.uids.length === 1 ? String(settings.uids[0]) : `${settings.uids[0]}-${settings.uids.at(-1)}`}`;
  const limited =
    sandbox.limits === undefined ? "no limits (prlimit is missing)" : "limits applied";
  logger.info(
    {
      isolation: sandbox.level,
      uids: sandbox.uids.length === 0 ? undefined : `${sandbox.uids[0]}-${sandbox.uids.at(-1)}`,
      limits: sandbox.limits,
    },
    `job isolation: ${ends}; ${who}; ${limited}`,
  );
}

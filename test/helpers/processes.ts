import { readdir, readFile, readlink } from "node:fs/promises";

/**
 * Job processes as this host sees them. Jobs run in PID namespaces where the runner can, so the
 * pid a job prints (`os.getpid()`, `$!`) is its pid in its namespace, not on the host: tests
 * find a job's processes by their working folder instead, and map printed pids through NSpid.
 */

export interface HostProcess {
  /** The pid on this host. */
  readonly pid: number;
  /** The pid in the process's own (innermost) namespace; equal to `pid` outside any. */
  readonly nsPid: number;
  readonly cwd: string;
}

/** Running, not a zombie waiting for its parent (or the container's init) to reap it. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

async function describe(pid: number): Promise<HostProcess | undefined> {
  try {
    const [cwd, status] = await Promise.all([
      readlink(`/proc/${pid}/cwd`),
      readFile(`/proc/${pid}/status`, "utf8"),
    ]);
    const nsPids = /^NSpid:\s+([\d\s]+)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
    if (!(await isAlive(pid))) return undefined;
    return { pid, nsPid: Number(nsPids.at(-1) ?? pid), cwd };
  } catch {
    return undefined;
  }
}

/** Live processes of this host working in `dir` or below (a removed folder still counts). */
export async function processesUnder(dir: string): Promise<HostProcess[]> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name)).map(Number);
  const all = await Promise.all(pids.filter((pid) => pid !== process.pid).map(describe));
  return all.filter(
    (proc): proc is HostProcess =>
      proc !== undefined && (proc.cwd === dir || proc.cwd.startsWith(`${dir}/`)),
  );
}

/**
 * The host pids of the processes under `dir` that printed these pids; [] until every one is
 * found, so callers can poll.
 */
export async function hostPids(dir: string, printed: readonly number[]): Promise<number[]> {
  const under = await processesUnder(dir);
  const found = printed.map((pid) => under.find((proc) => proc.nsPid === pid)?.pid);
  return found.every((pid) => pid !== undefined) ? found : [];
}

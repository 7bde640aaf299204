import { execFile } from "node:child_process";
import { chmod, lchown, lstat, readdir, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * How a job's processes are held, strongest first:
 * - `pid-namespace`: each command is PID 1 of a namespace of its own (root runners), so when it
 *   ends the kernel kills every process it left, `setsid` or not; `/proc` shows only the job's.
 * - `user-namespace`: the same through an unprivileged user namespace (runners that are not root).
 * - `process-group`: each command leads a process group; a process that calls `setsid` escapes.
 */
export type IsolationLevel = "pid-namespace" | "user-namespace" | "process-group";

/** The folders of one job a runner uid is given. */
export interface JobFolders {
  /** The job's own folder (source, venv, home, tmp); removed after the job. */
  readonly root: string;
  /** Where the job's tools write reports; the runner reads them afterwards. */
  readonly reports: string;
}

export interface RunnerUser {
  readonly uid: number;
  readonly gid: number;
}

/** Hands out runner uids, one per running job while there are enough, least shared first. */
export class UidPool {
  readonly #leases = new Map<number, number>();

  constructor(private readonly uids: readonly number[]) {}

  take(gid: number | undefined): RunnerUser | undefined {
    let best: number | undefined;
    for (const uid of this.uids) {
      if (best === undefined || (this.#leases.get(uid) ?? 0) < (this.#leases.get(best) ?? 0))
        best = uid;
    }
    if (best === undefined) return undefined;
    this.#leases.set(best, (this.#leases.get(best) ?? 0) + 1);
    return { uid: best, gid: gid ?? best };
  }

  /** True when no other running job has this uid. */
  exclusive(uid: number): boolean {
    return (this.#leases.get(uid) ?? 0) <= 1;
  }

  give(uid: number): void {
    const count = (this.#leases.get(uid) ?? 0) - 1;
    if (count <= 0) this.#leases.delete(uid);
    else this.#leases.set(uid, count);
  }
}

/** Parents of a job's folders: the runner uid may pass through them, never list them. */
const TRAVERSE_ONLY = 0o711;

/**
 * One job's confinement: the argv prefix its commands run under (namespace, limits, uid), and,
 * with a runner uid, the ownership of its folders. With a runner uid, the job can write the
 * reports folder the runner (root) reads and writes afterwards, so after each command what is
 * not a plain file or folder there (a symlink to a root-only file, a FIFO, a hard link) is
 * removed, and at the end the folder goes back to the runner.
 */
export class Confinement {
  readonly user: RunnerUser | undefined;
  readonly level: IsolationLevel;
  readonly #folders: JobFolders;
  readonly #prefix: readonly string[];
  readonly #setpriv: string | undefined;
  readonly #pool: UidPool;
  readonly #maxFileBytes: number | undefined;
  #released = false;

  constructor(options: {
    readonly folders: JobFolders;
    readonly level: IsolationLevel;
    readonly prefix: readonly string[];
    readonly user: RunnerUser | undefined;
    readonly setpriv: string | undefined;
    readonly pool: UidPool;
    /** RLIMIT_FSIZE when applied: a file this large explains a failure. */
    readonly maxFileBytes: number | undefined;
  }) {
    this.#folders = options.folders;
    this.level = options.level;
    this.#prefix = options.prefix;
    this.user = options.user;
    this.#setpriv = options.setpriv;
    this.#pool = options.pool;
    this.#maxFileBytes = options.maxFileBytes;
  }

  /** The argv that runs `argv` (its command already an absolute path) confined. */
  wrap(argv: readonly string[]): string[] {
    const { user } = this;
    const drop =
      user === undefined || this.#setpriv === undefined
        ? []
        : [this.#setpriv, ...dropArgs(user.uid, user.gid)];
    return [...this.#prefix, ...drop, ...argv];
  }

  /** Gives the job's uid its folders; the folders above them can be passed, not listed. */
  async prepare(): Promise<void> {
    const { user } = this;
    if (user === undefined) return;
    const { root, reports } = this.#folders;
    const parents = new Set([dirname(root), dirname(dirname(root)), dirname(reports)]);
    parents.add(dirname(dirname(reports)));
    for (const dir of parents) await chmod(dir, TRAVERSE_ONLY);
    await chownTree(root, user);
    await lchown(reports, user.uid, user.gid);
    await chmod(reports, 0o700);
  }

  /** After a command: the reports folder holds only plain files and folders. */
  async settle(): Promise<void> {
    if (this.user === undefined) return;
    await keepPlainFiles(this.#folders.reports);
  }

  /**
   * Why a failed step may have failed that its output may not say: a file of the job that
   * reached the file size limit (the writer got EFBIG or was killed by SIGXFSZ).
   */
  async limitNote(): Promise<string | undefined> {
    const limit = this.#maxFileBytes;
    if (limit === undefined) return undefined;
    for (const dir of [this.#folders.root, this.#folders.reports]) {
      const found = await findFileOfSize(dir, limit);
      if (found !== undefined)
        return `${basename(found)} reached the job's file size limit (${Math.round(limit / 1024 / 1024)} MiB, PYLOT_JOB_MAX_FILE_MB)`;
    }
    return undefined;
  }

  /** The reports back to the runner's uid; stray processes of an unshared uid killed. */
  async release(): Promise<void> {
    const { user } = this;
    if (user === undefined || this.#released) return;
    this.#released = true;
    try {
      if (this.level === "process-group" && this.#pool.exclusive(user.uid))
        await this.#killAllOf(user);
      await keepPlainFiles(this.#folders.reports);
      const self = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
      await chownTree(this.#folders.reports, self);
      await chmod(this.#folders.reports, 0o750).catch(() => undefined);
    } finally {
      this.#pool.give(user.uid);
    }
  }

  /** kill(-1) as the uid: every process it has, including ones that left their group. */
  #killAllOf(user: RunnerUser): Promise<void> {
    const setpriv = this.#setpriv;
    if (setpriv === undefined) return Promise.resolve();
    const argv = [...dropArgs(user.uid, user.gid), "/bin/sh", "-c", "kill -9 -1"];
    return new Promise((resolve) => {
      execFile(setpriv, argv, { timeout: 10_000 }, () => {
        resolve();
      });
    });
  }
}

export function dropArgs(uid: number, gid: number): string[] {
  return [
    `--reuid=${uid}`,
    `--regid=${gid}`,
    "--clear-groups",
    "--no-new-privs",
    "--inh-caps=-all",
    "--bounding-set=-all",
    "--",
  ];
}

/** lchown of a whole tree, never following a symlink. */
async function chownTree(path: string, user: RunnerUser): Promise<void> {
  await lchown(path, user.uid, user.gid).catch(() => undefined);
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, user);
    else await lchown(child, user.uid, user.gid).catch(() => undefined);
  }
}

/** Removes symlinks, FIFOs, sockets, devices and hard-linked files under `dir`. */
async function keepPlainFiles(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await keepPlainFiles(path);
      continue;
    }
    const info = await lstat(path).catch(() => undefined);
    if (info === undefined || (info.isFile() && info.nlink === 1)) continue;
    await rm(path, { force: true }).catch(() => undefined);
  }
}

/** The first plain file under `dir` at least `size` bytes long (symlinks not followed). */
async function findFileOfSize(dir: string, size: number): Promise<string | undefined> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = await findFileOfSize(path, size);
      if (found !== undefined) return found;
    } else if (entry.isFile() && ((await lstat(path).catch(() => undefined))?.size ?? 0) >= size) {
      return path;
    }
  }
  return undefined;
}

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fakeChecks } from "../helpers/github-checks.js";
import {
  REPO,
  pushPayload,
  serveConfig,
  sha,
  startPylot,
  type TestPylot,
} from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { tarballFrom } from "./projects.js";

/**
 * PYLOT_RUNNER_UID through the real app (the tests run as root): what a job running as another
 * uid can no longer read. Values are random per run so a match cannot be a coincidence.
 */

const gh = useGitHubStub();
const SECRET = `whsec-${randomBytes(12).toString("hex")}`;
const DB_MARKER = `dbmarker-${randomBytes(12).toString("hex")}`;
let pylot: TestPylot | undefined;
let sentinel: ChildProcess | undefined;
let dir = "";

afterEach(async () => {
  sentinel?.kill("SIGKILL");
  sentinel = undefined;
  await pylot?.close();
  pylot = undefined;
  await rm(dir, { recursive: true, force: true });
});

function config(run: string): string {
  return `
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: ${JSON.stringify(run)}, coverage: false }
`;
}

/** A shared folder every uid may write, for the jobs' answers. */
async function sharedDir(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), "pylot-sec-uid-"));
  await chmod(dir, 0o777);
  return dir;
}

async function push(app: TestPylot, head: string, files: Record<string, string>, run: string) {
  const api = gh.api();
  serveConfig(api, head, config(run));
  const tarball = await tarballFrom({ ...files, "setup.py": "" });
  api.get(`/repos/${REPO}/tarball/${head}`).reply(200, tarball);
  // A branch per commit: a push to the same branch would supersede the other pipeline.
  await app.receive("push", pushPayload(head, `refs/heads/probe-${head.slice(0, 4)}`));
}

const PROBE = `
import json, os, subprocess, sys
out, workdir, database, bot = sys.argv[1:5]
def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().replace(b"\\0", b"\\n").decode("utf-8", "replace")
    except Exception as e:
        return "unreadable: " + type(e).__name__
def ls(path):
    try:
        return sorted(os.listdir(path))
    except Exception as e:
        return ["unlistable: " + type(e).__name__]
umount = subprocess.run(["umount", "/proc"], capture_output=True).returncode
seen = {
    "uid": os.getuid(),
    "umount": umount,
    "bot": read("/proc/%s/environ" % bot),
    "database": read(database),
    "wal": read(database + "-wal"),
    "workdir": ls(workdir),
    "jobs": ls(os.path.join(workdir, "jobs")),
    "reports": ls(os.path.join(workdir, "reports")),
}
with open(out, "w") as f:
    json.dump(seen, f)
`;

describe("a job running as PYLOT_RUNNER_UID", { timeout: 120_000 }, () => {
  it("cannot read the bot's environment, database or work folder", async () => {
    const shared = await sharedDir();
    const workdir = join(shared, "work");
    const database = join(shared, "data", "pylot.db");
    sentinel = spawn("sleep", ["600"], { env: { WEBHOOK_SECRET: SECRET, PATH: "/usr/bin:/bin" } });
    pylot = await startPylot(
      { PYLOT_RUNNER_UID: "65534", PYLOT_WORKDIR: workdir },
      { databaseUrl: `sqlite:${database}` },
    );
    const head = sha("b1");
    const checks = fakeChecks();
    // Something of ours in the database to find: the delivery id is stored as received.
    const out = join(shared, "seen.json");
    const args = [out, workdir, database, String(sentinel.pid)].join(" ");

    await push(pylot, head, { "probe.py": PROBE }, `python probe.py ${args} ${DB_MARKER}`);
    await pylot.settle(head);
    const seen = JSON.parse(await readFile(out, "utf8")) as Record<string, unknown>;

    expect(checks.states(head)).toEqual([
      ["Pylot", "completed", "success"],
      ["Pylot / test (3.11, linux)", "completed", "success"],
    ]);
    expect((await stat(database)).mode & 0o777).toBe(0o600);
    const stored = await Promise.all(
      [database, `${database}-wal`].map((f) => readFile(f, "latin1")),
    );
    expect(stored.join("")).toContain(DB_MARKER);
    expect(seen.umount).not.toBe(0);
    expect({ ...seen, umount: "tried" }).toEqual({
      uid: 65534,
      umount: "tried",
      bot: "unreadable: FileNotFoundError",
      database: "unreadable: PermissionError",
      wal: "unreadable: PermissionError",
      workdir: ["unlistable: PermissionError"],
      jobs: ["unlistable: PermissionError"],
      reports: ["unlistable: PermissionError"],
    });
  });
});

/** Job A keeps a secret in its workspace until job B, running at the same time, has looked. */
const KEEPER = `
import os, sys, time
shared, secret = sys.argv[1:3]
with open("secret.txt", "w") as f:
    f.write(secret)
with open(os.path.join(shared, "a-path"), "w") as f:
    f.write(os.getcwd())
for _ in range(600):
    if os.path.exists(os.path.join(shared, "b-done")):
        break
    time.sleep(0.1)
`;
const PRYER = `
import json, os, sys, time
shared = sys.argv[1]
for _ in range(600):
    if os.path.exists(os.path.join(shared, "a-path")):
        break
    time.sleep(0.1)
path = open(os.path.join(shared, "a-path")).read()
try:
    found = open(os.path.join(path, "secret.txt")).read()
except Exception as e:
    found = "unreadable: " + type(e).__name__
with open(os.path.join(shared, "b-out.json"), "w") as f:
    json.dump({"uid": os.getuid(), "found": found}, f)
open(os.path.join(shared, "b-done"), "w").close()
`;

/** Runs KEEPER and PRYER at once; answers what PRYER found and the uids of both. */
async function pry(uids: string, heads: readonly [string, string]) {
  const shared = await sharedDir();
  const secret = `kept-${randomBytes(12).toString("hex")}`;
  pylot = await startPylot({ PYLOT_RUNNER_UID: uids, PYLOT_CONCURRENCY: "2" });
  const checks = fakeChecks();
  const [a, b] = heads;
  await push(pylot, a, { "keeper.py": KEEPER }, `python keeper.py ${shared} ${secret}`);
  await push(pylot, b, { "pryer.py": PRYER }, `python pryer.py ${shared}`);
  await Promise.all([pylot.settle(a), pylot.settle(b)]);
  const seen = JSON.parse(await readFile(join(shared, "b-out.json"), "utf8")) as {
    uid: number;
    found: string;
  };
  expect(checks.states()).toEqual([
    ["Pylot", "completed", "success"],
    ["Pylot", "completed", "success"],
    ["Pylot / test (3.11, linux)", "completed", "success"],
    ["Pylot / test (3.11, linux)", "completed", "success"],
  ]);
  return { ...seen, secret };
}

describe("two jobs running at once under PYLOT_RUNNER_UID", { timeout: 120_000 }, () => {
  it("with a range of uids, one cannot read the other's workspace", async () => {
    const { uid, found } = await pry("65532-65533", [sha("c1"), sha("c2")]);

    expect(uid).toBe(65533);
    expect(found).toBe("unreadable: PermissionError");
  });

  it("FINDING: with a single uid, one can read the other's workspace once it knows the path", async () => {
    const { uid, found, secret } = await pry("65534", [sha("c3"), sha("c4")]);

    // Both jobs run as 65534. The path is not listable (PYLOT_WORKDIR/jobs is 0711) and holds
    // a hash of a random pipeline id, so a job cannot find it alone; this one was told it.
    // README.md: give PYLOT_RUNNER_UID a range of at least PYLOT_CONCURRENCY uids.
    expect(uid).toBe(65534);
    expect(found).toBe(secret);
  });
});

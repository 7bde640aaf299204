import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
 * A job that tries every way we know of to read the bot's secrets, run through the real app.
 * The values are random per run so a match cannot be a coincidence.
 */

const gh = useGitHubStub();
const token = (prefix: string) => `${prefix}${randomBytes(12).toString("hex")}`;
const SECRETS = {
  WEBHOOK_SECRET: token("whsec-"),
  PRIVATE_KEY: `-----BEGIN RSA PRIVATE KEY-----\n${token("MIIkey")}\n-----END RSA PRIVATE KEY-----`,
  GITHUB_TOKEN: token("ghs_"),
  PYLOT_DATABASE_URL: `postgres://pylot:${token("dbpw")}@db.internal:5432/pylot`,
  PYLOT_REDIS_URL: `redis://:${token("redispw")}@redis.internal:6379`,
};
const VALUES = [SECRETS.WEBHOOK_SECRET, SECRETS.GITHUB_TOKEN, SECRETS.PYLOT_DATABASE_URL];
const MARKERS = Object.values(SECRETS).map((value) =>
  value.includes("KEY") ? (value.split("\n")[1] ?? value) : value,
);

const PROBE = `
import json, os, sys
here = os.path.dirname(os.path.abspath(__file__))
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
pids = open(os.path.join(here, "pids.txt")).read().split()
seen = {
    "environ": dict(os.environ),
    "self": read("/proc/self/environ"),
    "bot": read("/proc/%s/environ" % pids[0]),
    "sentinel": read("/proc/%s/environ" % pids[1]),
    "parent": ls(os.path.dirname(os.getcwd())),
    "grandparent": ls(os.path.dirname(os.path.dirname(os.getcwd()))),
    "database": read(open(os.path.join(here, "db.txt")).read().strip())[:200],
}
with open(open(os.path.join(here, "out.txt")).read().strip(), "w") as f:
    json.dump(seen, f)
for name, value in seen.items():
    print(name, value)
`;
const CONFIG = `
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python probe.py", coverage: false }
`;

let pylot: TestPylot;
let sentinel: ChildProcess;
const saved = new Map<string, string | undefined>();

beforeEach(async () => {
  for (const [name, value] of Object.entries(SECRETS)) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
  // /proc/<pid>/environ shows a process's environment as it was exec'd, so a stand-in for a
  // bot started with its secrets in the environment (as `probot run` is) is a process
  // exec'd with them; the test worker itself is probed too.
  sentinel = spawn("sleep", ["600"], { env: { ...SECRETS, PATH: "/usr/bin:/bin" } });
  pylot = await startPylot({ PYLOT_CONCURRENCY: "1" });
});
afterEach(async () => {
  sentinel.kill("SIGKILL");
  await pylot.close();
  for (const [name, value] of saved) {
    if (value === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = value;
  }
});

describe("a job that tries to read the bot's secrets", () => {
  it("publishes none of them in check runs or the store, and shows what it could read", async () => {
    const head = sha("5e");
    const out = join(tmpdir(), `pylot-probe-${randomBytes(6).toString("hex")}.json`);
    const database = join(tmpdir(), `pylot-sec-${randomBytes(6).toString("hex")}.db`);
    const api = gh.api();
    serveConfig(api, head, CONFIG);
    const tarball = await tarballFrom({
      "probe.py": PROBE,
      "pids.txt": `${process.pid} ${sentinel.pid ?? 0}\n`,
      "db.txt": `${database}\n`,
      "out.txt": `${out}\n`,
      "setup.py": "",
    });
    api.get(`/repos/${REPO}/tarball/${head}`).reply(200, tarball);
    const checks = fakeChecks();
    await writeFile(database, `SQLite format 3\0${SECRETS.PYLOT_DATABASE_URL}`);

    await pylot.receive("push", pushPayload(head, "refs/heads/probe"));
    const view = await pylot.settle(head);
    const seen = JSON.parse(await readFile(out, "utf8")) as Record<string, unknown>;
    await rm(out, { force: true });
    await rm(database, { force: true });

    const published = JSON.stringify(checks.runs) + JSON.stringify(view);
    for (const marker of MARKERS) expect(published).not.toContain(marker);
    const ownEnv = JSON.stringify([seen.environ, seen.self]);
    for (const marker of MARKERS) expect(ownEnv).not.toContain(marker);
    expect(checks.states(head)).toEqual([
      ["Pylot", "completed", "success"],
      ["Pylot / test (3.11, linux)", "completed", "success"],
    ]);
    // What a job running as the bot's uid can read (the isolation level, reported rather than
    // hidden): in its PID namespace no other process's /proc entry, but the bot's files, yes.
    // test/security/runner-uid.test.ts shows what PYLOT_RUNNER_UID takes away.
    expect({
      botEnvironReadable: VALUES.some((v) => String(seen.bot).includes(v)),
      sentinelEnvironReadable: VALUES.some((v) => String(seen.sentinel).includes(v)),
      databaseReadable: String(seen.database).includes(SECRETS.PYLOT_DATABASE_URL),
    }).toEqual({
      botEnvironReadable: false,
      sentinelEnvironReadable: false,
      databaseReadable: true,
    });
  });
});

import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fakeChecks, type FakeChecks } from "../helpers/github-checks.js";
import {
  QUICK,
  REPO,
  pushPayload,
  serveConfig,
  serveTarball,
  sha,
  startPylot,
  type TestPylot,
} from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { noPullRequests } from "../app/reports-fakes.js";
import { tarballFrom } from "./projects.js";

/**
 * Hostile reports through the whole pipeline: the job's own code writes its JUnit XML (the
 * file pytest would write through PYTEST_ADDOPTS) as an attack on the parser, or, running as a
 * runner uid, points it at what the bot must not read. The pipeline must end with a clear
 * message, publish nothing it should not, and the bot must run the next pipeline.
 */

const gh = useGitHubStub();
let pylot: TestPylot | undefined;
let dir = "";

afterEach(async () => {
  await pylot?.close();
  pylot = undefined;
  await rm(dir, { recursive: true, force: true });
});

const WRITE = `
import os, shlex, sys
junit = shlex.split(os.environ["PYTEST_ADDOPTS"])[0].split("=", 1)[1]
kind = sys.argv[1]
if kind == "symlink":
    os.symlink(sys.argv[2], junit)
elif kind == "fifo":
    os.mkfifo(junit)
else:
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), kind), "rb") as src:
        with open(junit, "wb") as out:
            out.write(src.read())
`;

const XXE = `<?xml version="1.0"?>
<!DOCTYPE testsuites [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<testsuites><testsuite name="&xxe;" tests="1"/></testsuites>`;
const LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<testsuites><testsuite name="&lol3;" tests="1"/></testsuites>`;
const DEEP = `<testsuites>${"<a>".repeat(10_000)}${"</a>".repeat(10_000)}</testsuites>`;
const HUGE = `<testsuites><testsuite name="huge" tests="1">${`<!-- ${"x".repeat(1018)} -->\n`.repeat(40 * 1024)}</testsuite></testsuites>`;

function config(run: string): string {
  return `
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: ${JSON.stringify(run)}, coverage: false }
`;
}

async function run(app: TestPylot, checks: FakeChecks, head: string, args: string) {
  const api = gh.api();
  serveConfig(api, head, config(`python write.py ${args}`));
  const files = { "write.py": WRITE, xxe: XXE, laughs: LAUGHS, deep: DEEP, huge: HUGE };
  api.get(`/repos/${REPO}/tarball/${head}`).reply(200, await tarballFrom(files));
  await app.receive("push", pushPayload(head, `refs/heads/hostile-${head.slice(0, 4)}`));
  await app.settle(head);
  return checks.latest("Pylot / test (3.11, linux)");
}

/** The bot still runs a pipeline to its end. */
async function expectHealthy(app: TestPylot, checks: FakeChecks, head: string): Promise<void> {
  const api = gh.api();
  serveConfig(api, head, QUICK);
  await serveTarball(api, head, "ok");
  await app.receive("push", pushPayload(head, "refs/heads/after"));
  await app.settle(head);
  expect(checks.states(head)).toEqual([
    ["Pylot", "completed", "success"],
    ["Pylot / test (3.11, linux)", "completed", "success"],
  ]);
}

describe("a hostile JUnit report through the pipeline", { timeout: 120_000 }, () => {
  it.each([
    ["an external entity (XXE)", "xxe", "test report rejected: it declares a DOCTYPE"],
    ["billion laughs", "laughs", "test report rejected: it declares a DOCTYPE"],
    ["10,000 nested elements", "deep", "test report rejected: it nests deeper than 64 elements"],
    ["40 MiB", "huge", "test report rejected: it is larger than 32 MiB"],
  ])("with %s is rejected in the check run, and the bot runs on", async (_what, kind, reason) => {
    pylot = await startPylot();
    const checks = fakeChecks();
    // A rejected report is news for the pull request comment: the bot looks for one.
    noPullRequests(gh.api());

    const leg = await run(pylot, checks, sha("e1"), kind);

    expect(leg?.conclusion).toBe("success");
    expect(leg?.output.summary).toContain(reason);
    expect(JSON.stringify(checks.runs)).not.toContain("root:x:0:0");
    await expectHealthy(pylot, checks, sha("e2"));
  });
});

describe("a report a runner-uid job points elsewhere", { timeout: 120_000 }, () => {
  it.each([
    ["a symlink to a file only root may read", "symlink"],
    ["a FIFO the bot would block on", "fifo"],
  ])("(%s) is dropped unread, and the bot runs on", async (_what, kind) => {
    dir = await mkdtemp(join(tmpdir(), "pylot-sec-rep-"));
    const marker = `root-only-${randomBytes(12).toString("hex")}`;
    const secret = join(dir, "secret.xml");
    await writeFile(secret, `<testsuites><testsuite name="${marker}"/></testsuites>`, {
      mode: 0o600,
    });
    pylot = await startPylot({ PYLOT_RUNNER_UID: "65534" });
    const checks = fakeChecks();

    const leg = await run(pylot, checks, sha("f1"), `${kind} ${secret}`);

    expect(leg?.conclusion).toBe("success");
    const view = await pylot.settle(sha("f1"));
    expect(view.jobs[0]?.result?.reports["junit.xml"]).toBeUndefined();
    expect(JSON.stringify([checks.runs, view])).not.toContain(marker);
    await expectHealthy(pylot, checks, sha("f2"));
  });
});

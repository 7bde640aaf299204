import { execFile } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeChecks, type FakeChecks } from "../../helpers/github-checks.js";
import {
  pullRequestPayload,
  pushPayload,
  serveConfig,
  serveTarball,
  sha,
  startPylot,
  type TestPylot,
} from "../../helpers/github-app.js";
import { useGitHubStub } from "../../helpers/github.js";
import {
  fakeComments,
  fakePullRequest,
  patchOf,
  type FakeComments,
  type FakePullRequest,
} from "../../app/reports-fakes.js";

/**
 * A pull request on a real fixture project, built by the real App, runner and tools (Debian's
 * python3: flake8, bandit, pytest, coverage): the base branch's pipeline stores its reports,
 * the PR adds an unused import, a `shell=True` call and an untested function, then is fixed.
 */

const exec = promisify(execFile);
const PROJECTS = resolve(import.meta.dirname, "../../fixtures/projects");
const PYTHON = "/usr/bin/python3";
const CONFIG = `
python: ["3.11"]
venv: { system-site-packages: true }
install: []
lint: { flake8: {}, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: { paths: [prcalc], fail-on: high, confidence: medium } }
test: { run: "python -m pytest -q -p no:cacheprovider", coverage: { minimum: 90, diff-minimum: 80 } }
`;
const [BASE, HEAD, FIXED] = [sha("ba"), sha("he"), sha("f1")];
const MODULE = "prcalc/__init__.py";
const TESTS = "tests/test_prcalc.py";

/** coverage.py's own TOTAL for a fixture project, as `coverage report` prints it. */
async function coverageReportTotal(project: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pylot-coverage-"));
  try {
    await cp(join(PROJECTS, project), dir, { recursive: true });
    const options = { cwd: dir, env: { PATH: "/usr/bin:/bin", HOME: dir } };
    await exec(
      PYTHON,
      ["-m", "coverage", "run", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
      options,
    );
    const { stdout } = await exec(PYTHON, ["-m", "coverage", "report", "--precision=2"], options);
    const total = /^TOTAL\s.*\s(\d+\.\d+%)$/m.exec(stdout)?.[1];
    if (total === undefined) throw new Error(`no TOTAL in ${stdout}`);
    return total;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const gh = useGitHubStub();
let pylot: TestPylot;

beforeAll(async () => {
  pylot = await startPylot();
});
afterAll(async () => {
  await pylot.close();
});

interface World {
  checks: FakeChecks;
  pr: FakePullRequest;
  comments: FakeComments;
}

/** The fake GitHub of one test: each test builds what it needs, in order. */
async function world(): Promise<World> {
  const api = gh.api();
  for (const [commit, project] of [
    [BASE, "pr-base"],
    [HEAD, "pr-head"],
    [FIXED, "pr-fixed"],
  ] as const) {
    serveConfig(api, commit, CONFIG);
    await serveTarball(api, commit, project);
  }
  const files = [{ filename: MODULE, patch: await patchOf("pr-base", "pr-head", MODULE) }];
  const pr = fakePullRequest({ head: HEAD, base: BASE, files })
    .servePull()
    .serveFiles()
    .serveAssociated();
  return { checks: fakeChecks(), pr, comments: fakeComments({ updates: true }) };
}

describe("a pull request on a fixture project", () => {
  it("shows annotations, failing gates with coverage.py's own total and the delta, then one comment updated when fixed", async () => {
    const { checks, pr, comments } = await world();
    await pylot.receive("push", pushPayload(BASE, "refs/heads/master"));
    await pylot.settle(BASE);
    const afterBase = checks.writes.length;

    await pylot.receive("pull_request", pullRequestPayload("opened", HEAD));
    const head = await pylot.settle(HEAD);
    const headWrites = checks.writes.length - afterBase + comments.writes.length;
    const firstComment = comments.comments[0]?.body ?? "";
    const expected = await coverageReportTotal("pr-head");

    const lint = checks.runs.find((r) => r.head_sha === HEAD && r.name === "Pylot / lint");
    const security = checks.runs.find((r) => r.head_sha === HEAD && r.name === "Pylot / security");
    const coverage = checks.runs.find((r) => r.head_sha === HEAD && r.name === "Pylot / coverage");
    expect(checks.states(BASE).map(([, , conclusion]) => conclusion)).toEqual(
      Array(5).fill("success"),
    );
    expect(lint?.conclusion).toBe("failure");
    expect(lint?.output.annotations).toEqual([
      expect.objectContaining({
        path: MODULE,
        start_line: 3,
        title: "flake8 F401",
        message: "'os' imported but unused",
      }),
    ]);
    expect(security?.conclusion).toBe("failure");
    expect(security?.output.annotations).toEqual([
      expect.objectContaining({ path: MODULE, start_line: 21, annotation_level: "failure" }),
      expect.objectContaining({ path: MODULE, start_line: 4, annotation_level: "notice" }),
    ]);
    expect(expected).toBe("76.92%");
    expect(coverage?.conclusion).toBe("failure");
    expect(coverage?.output.title).toMatch(
      new RegExp(
        `^coverage ${expected} is below the minimum 90%; diff coverage .* is below the minimum 80%$`,
      ),
    );
    expect(firstComment).toContain(`**Total: ${expected} ❌ (minimum 90%)**`);
    expect(firstComment).toContain(`▼ −23.08% against the base (${BASE.slice(0, 12)}, 100.00%)`);
    expect(firstComment).toContain("| ❌ New | 1 | 0 | 1 |");
    expect(comments.writes).toEqual(["POST"]);
    expect(head.pipeline.conclusion).toBe("failure");

    pr.head = FIXED;
    pr.files = [
      { filename: MODULE, patch: await patchOf("pr-base", "pr-fixed", MODULE) },
      { filename: TESTS, patch: await patchOf("pr-base", "pr-fixed", TESTS) },
    ];
    const beforeFix = checks.writes.length;
    await pylot.receive("pull_request", pullRequestPayload("synchronize", FIXED));
    const fixed = await pylot.settle(FIXED);
    const fixWrites = checks.writes.length - beforeFix + comments.writes.length - 1;

    const id = comments.comments[0]?.id ?? 0;
    const body = comments.comments[0]?.body ?? "";
    expect(fixed.pipeline.conclusion).toBe("success");
    expect(checks.states(FIXED).map(([, , conclusion]) => conclusion)).toEqual(
      Array(5).fill("success"),
    );
    expect(comments.writes).toEqual(["POST", `PATCH ${id}`]);
    expect(comments.comments).toHaveLength(1);
    expect(body).toContain(`**Total: ${await coverageReportTotal("pr-fixed")} ✅ (minimum 90%)**`);
    expect(body).toContain("= ±0.00% against the base");
    expect(body).toContain("| ✅ New | 0 | 0 | 0 |");
    // Per pipeline: the check runs' own writes (queued, in progress, completed for each runner
    // job; the coverage gate and the summary twice), the 3 annotations riding on the
    // completing writes, and one comment write.
    expect(headWrites).toBeLessThanOrEqual(3 * 3 + 2 * 2 + 1);
    expect(fixWrites).toBeLessThanOrEqual(3 * 3 + 2 * 2 + 1);
  });
});

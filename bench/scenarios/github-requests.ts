import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { SeenRequest } from "../../test/helpers/github-api-stub.js";
import { info, ms, ran, ratio, type Figure, type Scenario } from "../lib/figures.js";
import { annotationsIn, commitProgress, isWrite, requestKind } from "../lib/github.js";
import { withLab, type Lab } from "../lib/lab.js";
import { waitUntil } from "../lib/processes.js";
import { benchSha, makeProject, tarballOfDir } from "../lib/projects.js";
import { deliver, pullRequestDelivery } from "../lib/webhooks.js";

/** E225 (missing whitespace around operator) once per line: one flake8 finding each. */
const FINDINGS = 120;
const BATCH = 50;
const CONFIG = `
python: ["3.11"]
venv: { system-site-packages: true }
install: []
lint: { flake8: {}, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -c pass", coverage: false }
`;

function messyModule(): string {
  return Array.from({ length: FINDINGS }, (_, n) => `v${n}=${n}\n`).join("");
}

/** Waits until GitHub has seen nothing new for `quietMs` (late writes: the PR comment). */
async function settle(lab: Lab, quietMs: number): Promise<void> {
  let count = -1;
  let since = performance.now();
  await waitUntil(
    () => {
      const now = lab.github.requests().length;
      if (now !== count) [count, since] = [now, performance.now()];
      return performance.now() - since >= quietMs;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
}

/** flake8's findings as the lint job's report on this host has them (one per line). */
async function flake8Findings(lab: Lab): Promise<number> {
  const reports = join(lab.workdir, "reports");
  for (const pipeline of await readdir(reports)) {
    const text = await readFile(join(reports, pipeline, "lint", "flake8.txt"), "utf8").catch(
      () => undefined,
    );
    if (text !== undefined) return text.split("\n").filter((line) => line.trim() !== "").length;
  }
  return Number.NaN;
}

function countByKind(requests: readonly SeenRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const kind = requestKind(r.method, r.path);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

function figures(requests: readonly SeenRequest[], found: number): Figure[] {
  const counts = countByKind(requests);
  const written = requests.filter((r) => isWrite(r.method, requestKind(r.method, r.path)));
  const writes = written.length;
  const gaps = written.slice(1).map((r, n) => r.at - (written[n]?.at ?? r.at));
  const creates = counts.get("check run create") ?? 0;
  const posted = requests.reduce((total, r) => total + annotationsIn(r.body), 0);
  const comments = ["comment create", "comment update", "comment delete"]
    .map((kind) => counts.get(kind) ?? 0)
    .reduce((a, b) => a + b, 0);
  const floor = 2 * creates + Math.ceil(found / BATCH) + 1;
  const allowed = 2 * creates + Math.ceil(posted / BATCH) + 2;
  const configReads = counts.get("config read") ?? 0;
  return [
    ...[...counts.entries()].sort().map(([kind, n]) => info(`requests: ${kind}`, String(n))),
    info("requests in all", String(requests.length)),
    info("writes (POST/PATCH/DELETE, tokens excluded)", String(writes)),
    info(`floor 2×${creates} check runs + ⌈${found}/${BATCH}⌉ + 1 comment`, String(floor)),
    info("writes / floor", ratio(writes, floor)),
    info(
      "writes spread over (first to last), shortest gap",
      `${ms((written.at(-1)?.at ?? 0) - (written[0]?.at ?? 0))}, ${ms(Math.min(...gaps))}`,
    ),
    {
      name: "writes vs 2×check runs + ⌈posted annotations/50⌉ + 2",
      value: `${writes} vs ${allowed}`,
      goal: "≤",
      met: writes <= allowed,
    },
    {
      name: "annotations posted / flake8 findings",
      value: `${posted} / ${found}`,
      goal: "all",
      met: posted === found,
    },
    { name: "PR comment writes", value: String(comments), goal: "1", met: comments === 1 },
    {
      name: "config reads for the SHA",
      value: String(configReads),
      goal: "1",
      met: configReads === 1,
    },
  ];
}

export const githubRequests: Scenario = {
  id: 3,
  title: "GitHub requests per pipeline",
  run: (context) =>
    withLab(context, { concurrency: 2 }, async (lab) => {
      const project = await makeProject(context.scratch, "messy", {
        files: { "messy/__init__.py": messyModule() },
        config: CONFIG,
      });
      const sha = benchSha(3, 1);
      lab.github.stub.serveCommit(sha, { config: CONFIG, tarball: await tarballOfDir(project) });
      const spec = { installationId: 3001, owner: "requests", repo: "messy", number: 7, sha };
      lab.github.servePullRequest(spec);
      const reply = await deliver(lab.server.port, pullRequestDelivery(spec, lab.identity.secret));
      if (reply.status !== 200) throw new Error(`delivery answered ${reply.status}`);
      const done = await waitUntil(() => commitProgress(lab.github).summaryDone.has(sha), {
        timeoutMs: 90_000,
        intervalMs: 100,
      });
      if (!done) throw new Error(`pipeline did not finish within 90 s:\n${lab.server.logTail()}`);
      await settle(lab, 2500);
      const requests = lab.github.requests();
      const jobs = new Set(lab.github.stub.checkRuns.map((r) => r.name)).size - 1;
      return ran(figures(requests, await flake8Findings(lab)), [
        `one PR, ${jobs} jobs (lint with flake8 only, test) + the Pylot summary; the flake8 findings are counted from the lint job's flake8.txt`,
        "counted: every request the local GitHub saw for the PR, from the delivery until 2.5 s without a new one; all answered by the test stub",
        ...(lab.github.stub.unanswered.length > 0
          ? [`unanswered by the stub: ${[...new Set(lab.github.stub.unanswered)].join(", ")}`]
          : []),
      ]);
    }),
};

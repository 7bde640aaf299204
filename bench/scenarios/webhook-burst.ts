import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tarballOf } from "../../test/helpers/github-payloads.js";
import type { BurstSpec } from "../lib/burst-sender.js";
import {
  info,
  ms,
  percentile,
  ran,
  type Figure,
  type Scenario,
  type ScenarioContext,
} from "../lib/figures.js";
import { commitProgress, type CommitProgress } from "../lib/github.js";
import { TRIVIAL_CONFIG, withLab, type Lab } from "../lib/lab.js";
import { baseEnv, runChild, tail, waitUntil } from "../lib/processes.js";
import { benchSha } from "../lib/projects.js";
import type { PullRequestSpec, Reply } from "../lib/webhooks.js";

const REPLY_GOAL_MS = 50;

interface Burst {
  readonly startedAt: number;
  readonly replies: readonly Reply[];
}

/** Fires the burst from a child process (see burst-sender.ts) and returns its replies. */
async function fire(
  lab: Lab,
  context: ScenarioContext,
  prs: readonly PullRequestSpec[],
): Promise<Burst> {
  const spec: BurstSpec = { port: lab.server.port, secret: lab.identity.secret, pullRequests: prs };
  const file = join(context.scratch, "burst.json");
  await writeFile(file, JSON.stringify(spec));
  const sender = join(context.root, "bench/lib/burst-sender.ts");
  const run = await runChild([process.execPath, "--import", "tsx", sender, file], {
    cwd: context.root,
    env: baseEnv(),
    timeoutMs: 120_000,
  });
  if (run.code !== 0) throw new Error(`burst sender failed:\n${tail(run.stderr)}`);
  return JSON.parse(run.stdout) as Burst;
}

/** The latest of the keys' times (stub clock); NaN when one of them is missing. */
function latest(keys: readonly string[], times: ReadonlyMap<string, number>): number {
  const found = keys.map((key) => times.get(key) ?? Number.NaN);
  return found.some(Number.isNaN) ? Number.NaN : Math.max(...found);
}

/** When each installation token and each config read was first requested (stub clock). */
function firstRequests(lab: Lab, prs: readonly PullRequestSpec[]) {
  const tokens = new Map<string, number>();
  const configs = new Map<string, number>();
  for (const r of lab.github.stub.requests) {
    const token = /\/installations\/(\d+)\//.exec(r.path)?.[1];
    const config = /\/repos\/([^/]+\/[^/]+)\/contents\//.exec(r.path)?.[1];
    if (token !== undefined && !tokens.has(token)) tokens.set(token, r.at);
    if (config !== undefined && !configs.has(config)) configs.set(config, r.at);
  }
  return {
    tokens: latest(
      prs.map((pr) => String(pr.installationId)),
      tokens,
    ),
    configs: latest(
      prs.map((pr) => `${pr.owner}/${pr.repo}`),
      configs,
    ),
  };
}

function burstOf(count: number): PullRequestSpec[] {
  return Array.from({ length: count }, (_, n) => ({
    installationId: 10_000 + n,
    owner: `org-${n}`,
    repo: `repo-${n}`,
    number: n + 1,
    sha: benchSha(1, n),
  }));
}

async function measure(lab: Lab, context: ScenarioContext, count: number): Promise<Figure[]> {
  const tarball = await tarballOf("ok");
  const prs = burstOf(count);
  for (const pr of prs) {
    lab.github.stub.serveCommit(pr.sha, { config: TRIVIAL_CONFIG, tarball });
    lab.github.servePullRequest(pr);
  }
  const shas = prs.map((pr) => pr.sha);
  const burst = await fire(lab, context, prs);
  const latencies = burst.replies.map((r) => r.ms);
  const failed = burst.replies.filter((r) => r.status !== 200 && r.status !== 202).length;
  const all = (pick: (p: CommitProgress) => ReadonlyMap<string, number>) => () =>
    shas.every((sha) => pick(commitProgress(lab.github)).has(sha));
  await waitUntil(
    all((p) => p.firstCheckRun),
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  await waitUntil(
    all((p) => p.summaryDone),
    { timeoutMs: count * 1500 + 60_000, intervalMs: 250 },
  );
  const progress = commitProgress(lab.github);
  const sinceBurst = (at: number) => lab.epochOf(at) - burst.startedAt;
  const lost = shas.filter((sha) => !progress.firstCheckRun.has(sha)).length;
  const unfinished = shas.filter((sha) => !progress.summaryDone.has(sha)).length;
  const finishedIn = sinceBurst(latest(shas, progress.summaryDone));
  const asked = firstRequests(lab, prs);
  const p99 = percentile(latencies, 99);
  return [
    info("webhook reply p50", ms(percentile(latencies, 50))),
    {
      name: "webhook reply p99",
      value: ms(p99),
      goal: `< ${REPLY_GOAL_MS} ms`,
      met: p99 < REPLY_GOAL_MS,
    },
    info("webhook reply max", ms(Math.max(...latencies))),
    { name: "replies not 2xx", value: String(failed), goal: "0", met: failed === 0 },
    {
      name: "deliveries lost (PR without a check run)",
      value: String(lost),
      goal: "0",
      met: lost === 0,
    },
    info("  every installation token requested after", ms(sinceBurst(asked.tokens))),
    info("  every config read after", ms(sinceBurst(asked.configs))),
    info(
      "every PR has its first check run after",
      ms(sinceBurst(latest(shas, progress.firstCheckRun))),
    ),
    { name: "pipelines not finished", value: String(unfinished), goal: "0", met: unfinished === 0 },
    info("every pipeline finished after", ms(finishedIn)),
    info("pipelines per second", (count / (finishedIn / 1000)).toFixed(1)),
    info("server errors logged", String(lab.server.errors().length)),
  ];
}

export const webhookBurst: Scenario = {
  id: 1,
  title: "Webhook reply under a burst",
  run: (context) =>
    withLab(context, { concurrency: 2 }, async (lab) => {
      const count = context.quick ? 50 : 200;
      const figures = await measure(lab, context, count);
      const errors = lab.server.errors().slice(0, 3);
      return ran(figures, [
        `${count} signed pull_request deliveries sent at once from ${count} installations (one repository each), ` +
          `from a separate client process; PYLOT_CONCURRENCY=2; each pipeline is one job running "python -c pass"`,
        ...errors.map((line) => `server error: ${line}`),
      ]);
    }),
};

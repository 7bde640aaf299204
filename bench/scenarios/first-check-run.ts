import { tarballOf } from "../../test/helpers/github-payloads.js";
import { info, median, ms, ran, type Figure, type Scenario } from "../lib/figures.js";
import { commitProgress } from "../lib/github.js";
import { TRIVIAL_CONFIG, withLab, type Lab } from "../lib/lab.js";
import { waitUntil } from "../lib/processes.js";
import { benchSha } from "../lib/projects.js";
import { deliver, pullRequestDelivery } from "../lib/webhooks.js";

const GOAL_MS = 500;

interface Sample {
  readonly replyMs: number;
  readonly firstCheckMs: number;
  /** From sending to the installation token request and to the config read, as the stub saw. */
  readonly tokenMs: number;
  readonly configMs: number;
}

/**
 * One delivery at a time on an idle server, each from a new installation (so the token is not
 * cached: the worst case), until its first check run reaches the stub; then its pipeline is let
 * finish before the next.
 */
async function sample(lab: Lab, n: number): Promise<Sample> {
  const sha = benchSha(2, n);
  const spec = { installationId: 2000 + n, owner: `first-${n}`, repo: "app", number: n + 1, sha };
  lab.github.stub.serveCommit(sha, { config: TRIVIAL_CONFIG, tarball: await tarballOf("ok") });
  lab.github.servePullRequest(spec);
  const reply = await deliver(lab.server.port, pullRequestDelivery(spec, lab.identity.secret));
  if (reply.status !== 200) throw new Error(`delivery answered ${reply.status}`);
  const seen = await waitUntil(() => commitProgress(lab.github).firstCheckRun.has(sha), {
    timeoutMs: 15_000,
    intervalMs: 5,
  });
  if (!seen) throw new Error(`no check run within 15 s:\n${lab.server.logTail()}`);
  const first = commitProgress(lab.github).firstCheckRun.get(sha);
  const requests = lab.github.requests();
  const since = (at: number | undefined) =>
    at === undefined ? Number.NaN : lab.epochOf(at) - reply.sentAt;
  const token = requests.find((r) => r.path.includes(`/installations/${spec.installationId}/`));
  const config = requests.find((r) => r.path.includes(`/${spec.owner}/app/contents/`));
  const finished = await waitUntil(() => commitProgress(lab.github).summaryDone.has(sha), {
    timeoutMs: 60_000,
    intervalMs: 50,
  });
  if (!finished) throw new Error(`pipeline did not finish within 60 s:\n${lab.server.logTail()}`);
  return {
    replyMs: reply.ms,
    firstCheckMs: since(first),
    tokenMs: since(token?.at),
    configMs: since(config?.at),
  };
}

export const firstCheckRun: Scenario = {
  id: 2,
  title: "Time to first check run",
  run: (context) =>
    withLab(context, { concurrency: 2 }, async (lab) => {
      const count = context.quick ? 2 : 8;
      const samples: Sample[] = [];
      for (let n = 0; n < count; n += 1) samples.push(await sample(lab, n));
      const first = samples.map((s) => s.firstCheckMs);
      const worst = Math.max(...first);
      const figures: Figure[] = [
        {
          name: "first queued check run, median",
          value: ms(median(first)),
          goal: `< ${GOAL_MS} ms`,
          met: median(first) < GOAL_MS,
        },
        {
          name: `first queued check run, worst of ${count}`,
          value: ms(worst),
          goal: `< ${GOAL_MS} ms`,
          met: worst < GOAL_MS,
        },
        info("webhook reply, median", ms(median(samples.map((s) => s.replyMs)))),
        info("  token request after, median", ms(median(samples.map((s) => s.tokenMs)))),
        info("  config read after, median", ms(median(samples.map((s) => s.configMs)))),
      ];
      return ran(figures, [
        `${count} deliveries, one at a time, each from a new installation (no cached token), idle server`,
      ]);
    }),
};

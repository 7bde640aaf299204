import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PipelineRecord } from "../../src/engine/ports.js";
import { badgeToken } from "../../src/http/index.js";
import { fakeChecks } from "../helpers/github-checks.js";
import { REPO, pushPayload, serveConfig, serveTarball, sha } from "../helpers/github-app.js";
import { jobResult, jobsOf, pipelineRecord } from "../helpers/store-contract.js";
import {
  startPylotServer,
  useGitHubStubWithServer,
  type PylotServer,
} from "../integration/http/harness.js";
import { noPullRequests } from "./reports-fakes.js";

/**
 * The pages check runs' Details links lead to: the real `details_url` of a real pipeline is
 * fetched from the bot, and private repositories' pages need their `logs` token.
 */

const gh = useGitHubStubWithServer();
let pylot: PylotServer;

afterEach(async () => {
  await pylot.close();
});

const PUBLIC_URL = "https://pylot.example";
const SECRET = "page-secret-for-tests";

/** The path and query of a details_url, to ask the bot under test for it. */
function local(detailsUrl: string | null | undefined): string {
  expect(detailsUrl).toMatch(/^https:\/\/pylot\.example\/pipelines\//);
  const url = new URL(detailsUrl ?? "");
  return `${url.pathname}${url.search}`;
}

async function html(path: string): Promise<{ status: number; body: string; csp: string | null }> {
  const response = await pylot.get(path);
  return {
    status: response.status,
    body: await response.text(),
    csp: response.headers.get("content-security-policy"),
  };
}

async function announce(isPrivate: boolean): Promise<void> {
  const payload: Record<string, unknown> = pushPayload(sha("0a"), "refs/tags/v1.0");
  const repository = { ...(payload["repository"] as object), private: isPrivate };
  await pylot.receive("push", { ...payload, repository });
}

describe("a pipeline's pages", () => {
  it("are where the check runs' details_url leads, with each job's result and log", async () => {
    pylot = await startPylotServer({ env: { PYLOT_PUBLIC_URL: PUBLIC_URL } });
    const checks = fakeChecks();
    const commit = sha("a1");
    const project = resolve(import.meta.dirname, "../fixtures/projects/failing-test");
    serveConfig(gh.api(), commit, await readFile(`${project}/.github/pylot.yml`, "utf8"));
    await serveTarball(gh.api(), commit, "failing-test");
    // Its test results make the App look for a pull request of the commit: there is none.
    noPullRequests(gh.api());
    await pylot.receive("push", pushPayload(commit, "refs/heads/main"));
    await pylot.settle(commit);

    const summary = await html(local(checks.latest("Pylot")?.details_url));
    const job = await html(local(checks.latest("Pylot / test (3.11, linux)")?.details_url));

    expect(summary.status).toBe(200);
    expect(summary.csp).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(summary.body).toContain(commit);
    expect(summary.body).toMatch(
      /<a href="https:\/\/pylot\.example\/pipelines\/[^"]+\/jobs\/test-3\.11-linux">test \(3\.11, linux\)<\/a>/,
    );
    expect(job.status).toBe(200);
    expect(job.body).toContain('<span class="failure">failure</span>');
    expect(job.body).toMatch(/<h2>Log \(tail\)<\/h2><pre>[\s\S]*FAILED \(failures=1\)/);
  });

  it("escape everything a job wrote: a log or summary cannot inject markup", async () => {
    pylot = await startPylotServer();
    await announce(false);
    const pipeline: PipelineRecord = {
      ...pipelineRecord("p-hostile"),
      trigger: {
        source: "github",
        event: "push",
        sha: sha("b2"),
        ref: "refs/heads/<i>x</i>",
        repo: REPO,
        installationId: 1,
      },
    };
    const [job] = jobsOf(pipeline);
    await pylot.store.createPipeline(pipeline, jobsOf(pipeline));
    const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`;
    await pylot.store.transitionJob(
      job?.id ?? "",
      { from: ["pending"], attempt: 1 },
      {
        state: "completed",
        conclusion: "failure",
        result: jobResult(job?.id ?? "", { summary: hostile, logTail: `$ run\n${hostile}\n` }),
      },
    );

    const pages = [
      await html("/pipelines/p-hostile"),
      await html(`/pipelines/p-hostile/jobs/${job?.spec.key ?? ""}`),
    ];

    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.body).not.toMatch(/<script|<img|<i>/);
      expect(page.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img");
    }
  });

  it("of a private repository need its logs token; anything else is the same 404", async () => {
    pylot = await startPylotServer({ env: { PYLOT_BADGE_SECRET: SECRET } });
    await announce(true);
    const pipeline: PipelineRecord = {
      ...pipelineRecord("p-private"),
      trigger: {
        source: "github",
        event: "push",
        sha: sha("c3"),
        ref: "refs/heads/main",
        repo: REPO,
        installationId: 1,
      },
    };
    await pylot.store.createPipeline(pipeline, jobsOf(pipeline));
    const token = (kind: "logs" | "status", secret = SECRET) =>
      badgeToken({ secret, repo: REPO, kind });

    const statuses = [
      (await html(`/pipelines/p-private?token=${token("logs")}`)).status,
      (await html(`/pipelines/p-private?token=${token("logs", "other")}`)).status,
      (await html(`/pipelines/p-private?token=${token("status")}`)).status,
      (await html("/pipelines/p-private")).status,
      (await html(`/pipelines/unknown?token=${token("logs")}`)).status,
      (await html(`/pipelines/p-private/jobs/nope?token=${token("logs")}`)).status,
      (await html("/pipelines/p-private/jobs/..%2F..%2Fetc")).status,
      (await html(`/pipelines/p-private?token=a&token=b`)).status,
    ];

    expect(statuses).toEqual([200, 404, 404, 404, 404, 404, 400, 400]);
  });
});

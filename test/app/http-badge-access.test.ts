import { afterEach, describe, expect, it } from "vitest";
import type { DeploymentRecord } from "../../src/deploy/types.js";
import type { PipelineRecord } from "../../src/engine/ports.js";
import { badgeMarkdown, badgeToken } from "../../src/http/index.js";
import type { Conclusion } from "../../src/pipeline/types.js";
import { REPO, pushPayload, sha } from "../helpers/github-app.js";
import { repositoryPayload } from "../helpers/github-payloads.js";
import { jobsOf, pipelineRecord } from "../helpers/store-contract.js";
import {
  startPylotServer,
  useGitHubStubWithServer,
  type PylotServer,
} from "../integration/http/harness.js";

/**
 * Who may see which badge, and what each state looks like. Repositories become known through
 * real webhook deliveries (a tag push: recorded, nothing built); pipelines are seeded in the
 * real store.
 */

useGitHubStubWithServer();
let pylot: PylotServer;

afterEach(async () => {
  await pylot.close();
});

const BADGES = `/badges/${REPO}`;
const SECRET = "badge-secret-for-tests";

/** A tag push of the example repository (recorded, nothing built), its repository adjusted. */
function tagPush(tag: string, repository: Record<string, unknown>) {
  const payload: Record<string, unknown> = pushPayload(sha("0a"), `refs/tags/${tag}`);
  const original = payload["repository"] as Record<string, unknown>;
  return { ...payload, repository: { ...original, ...repository } };
}

async function announce(options: { private: boolean }): Promise<void> {
  await pylot.receive("push", tagPush("v1.0", options));
}

async function seed(id: string, day: number, state: Conclusion | "running"): Promise<void> {
  const base = pipelineRecord(id, { createdAt: `2024-08-0${day}T00:00:00.000Z` });
  const trigger = {
    source: "github",
    event: "push",
    sha: sha(id),
    ref: "refs/heads/main",
  } as const;
  const pipeline: PipelineRecord = {
    ...base,
    trigger: { ...trigger, repo: REPO, installationId: 1 },
  };
  await pylot.store.createPipeline(pipeline, jobsOf(pipeline));
  if (state !== "running")
    await pylot.store.updatePipeline(id, { status: "completed", conclusion: state });
}

async function title(path: string): Promise<{ status: number; title: string | undefined }> {
  const response = await pylot.get(path);
  const svg = await response.text();
  return { status: response.status, title: /<title>([^<]*)<\/title>/.exec(svg)?.[1] };
}

describe("status badge states", () => {
  it.each([
    { pipelines: [], shows: "unknown" },
    { pipelines: [["running", 1]], shows: "running" },
    { pipelines: [["success", 1]], shows: "passing" },
    { pipelines: [["failure", 1]], shows: "failing" },
    { pipelines: [["timed_out", 1]], shows: "failing" },
    { pipelines: [["cancelled", 1]], shows: "cancelled" },
    {
      pipelines: [
        ["cancelled", 1],
        ["running", 2],
      ],
      shows: "running",
    },
    {
      pipelines: [
        ["failure", 1],
        ["running", 2],
      ],
      shows: "failing",
    },
    {
      pipelines: [
        ["success", 2],
        ["failure", 1],
      ],
      shows: "passing",
    },
  ] as { pipelines: [Conclusion | "running", number][]; shows: string }[])(
    "$pipelines → $shows",
    async ({ pipelines, shows }) => {
      pylot = await startPylotServer();
      await announce({ private: false });
      for (const [state, day] of pipelines) await seed(`p-${state}-${day}`, day, state);

      const badge = await title(`${BADGES}/status.svg?branch=main`);

      expect(badge).toEqual({ status: 200, title: `pylot: ${shows}` });
    },
  );

  it("uses the default branch a webhook named when ?branch is absent", async () => {
    pylot = await startPylotServer();
    await pylot.receive("push", tagPush("v2.0", { default_branch: "main" }));
    await seed("p-default", 1, "success");

    const badge = await title(`${BADGES}/status.svg`);

    expect(badge).toEqual({ status: 200, title: "pylot: passing" });
  });
});

describe("private repositories", () => {
  const token = (kind: "status" | "coverage" | "deploy", secret = SECRET) =>
    badgeToken({ secret, repo: REPO, kind });

  it("need the badge's token: good, wrong, another kind's, none", async () => {
    pylot = await startPylotServer({ env: { PYLOT_BADGE_SECRET: SECRET } });
    await announce({ private: true });
    await seed("p1", 1, "success");

    const answers = await Promise.all([
      title(`${BADGES}/status.svg?branch=main&token=${token("status")}`),
      title(`${BADGES}/status.svg?branch=main&token=${token("status", "other-secret")}`),
      title(`${BADGES}/status.svg?branch=main&token=${token("coverage")}`),
      title(`${BADGES}/status.svg?branch=main`),
    ]);

    expect(answers.map((a) => a.status)).toEqual([200, 404, 404, 404]);
    expect(answers[0].title).toBe("pylot: passing");
  });

  it("answer exactly like an unknown repository without the token", async () => {
    pylot = await startPylotServer({ env: { PYLOT_BADGE_SECRET: SECRET } });
    await announce({ private: true });

    const hidden = await pylot.get(`${BADGES}/status.svg?branch=main`);
    const unknown = await pylot.get("/badges/Codertocat/Nothing-Here/status.svg?branch=main");

    expect(hidden.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await hidden.text()).toBe(await unknown.text());
    const headers = (r: Response) => [...r.headers].filter(([k]) => k !== "date");
    expect(headers(hidden)).toEqual(headers(unknown));
  });

  it("have no badges at all without PYLOT_BADGE_SECRET", async () => {
    pylot = await startPylotServer();
    await announce({ private: true });
    await seed("p1", 1, "success");

    const badge = await title(`${BADGES}/status.svg?branch=main&token=${token("status")}`);

    expect(badge.status).toBe(404);
  });

  it("are served from the Markdown /badge replies with", async () => {
    pylot = await startPylotServer({ env: { PYLOT_BADGE_SECRET: SECRET } });
    await announce({ private: true });
    await seed("p1", 1, "success");
    const markdown = badgeMarkdown({
      publicUrl: pylot.url,
      repo: REPO,
      branch: "main",
      secret: SECRET,
      environments: ["staging"],
    });
    const urls = [...markdown.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1] ?? "");

    const statuses = await Promise.all(urls.map(async (url) => (await fetch(url)).status));

    expect(urls).toHaveLength(3);
    expect(statuses).toEqual([200, 200, 200]);
  });

  it("become public badges when a webhook says the repository is public again", async () => {
    pylot = await startPylotServer({ env: { PYLOT_BADGE_SECRET: SECRET } });
    await announce({ private: true });
    await seed("p1", 1, "failure");
    const before = await title(`${BADGES}/status.svg?branch=main`);

    await announce({ private: false });
    const after = await title(`${BADGES}/status.svg?branch=main`);

    expect(before.status).toBe(404);
    expect(after).toEqual({ status: 200, title: "pylot: failing" });
  });

  it("close at once when a repository event says it was made private", async () => {
    pylot = await startPylotServer({ env: { PYLOT_BADGE_SECRET: SECRET } });
    await announce({ private: false });
    await seed("p1", 1, "success");
    const before = await title(`${BADGES}/status.svg?branch=main`);

    await pylot.receive("repository", repositoryPayload("privatized"));
    const after = await title(`${BADGES}/status.svg?branch=main`);

    expect(before).toEqual({ status: 200, title: "pylot: passing" });
    expect(after.status).toBe(404);
  });
});

describe("the deploy badge", () => {
  const deployment = (id: number, state: DeploymentRecord["state"], seedChar: string) => ({
    id,
    sha: sha(seedChar),
    environment: "staging",
    createdAt: `2024-08-0${id}T00:00:00.000Z`,
    state,
    creator: "pylot[bot]",
    task: "deploy",
  });

  it("shows the commit live in the environment: the newest successful deployment", async () => {
    pylot = await startPylotServer();
    await announce({ private: false });
    await pylot.store.saveDeployments(REPO, [
      deployment(1, "inactive", "a1"),
      deployment(2, "success", "b2"),
      deployment(3, "failure", "c3"),
    ]);

    const badges = [
      await title(`${BADGES}/deploy/staging.svg`),
      await title(`${BADGES}/deploy/production.svg`),
    ];

    expect(badges).toEqual([
      { status: 200, title: `staging: ${sha("b2").slice(0, 7)}` },
      { status: 200, title: "production: unknown" },
    ]);
  });
});

describe("badge URLs", () => {
  it.each([
    `${BADGES}/status.svg?branch=..%2Fetc`,
    `${BADGES}/status.svg?branch=main&branch=dev`,
    `${BADGES}/status.svg?check=%3Cscript%3E`,
    `${BADGES}/deploy/%3Cx%3E.svg`,
    "/badges/Codertocat%2Fx/Hello-World/status.svg",
    `${BADGES}/nothing.svg`,
  ])("%s is refused with 400", async (path) => {
    pylot = await startPylotServer();

    const response = await pylot.get(path);

    expect(response.status).toBe(400);
  });
});

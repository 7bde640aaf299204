import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UNSTARTED_MESSAGE } from "../../src/deploy/deploy-recovery.js";
import { startProcess, type Proc } from "../e2e/processes.js";
import { fakeChecks } from "../helpers/github-checks.js";
import { REPO, serveTarball, sha, startPylot, type TestPylot } from "../helpers/github-app.js";
import { bodies, useGitHubStub } from "../helpers/github.js";
import { startHealthServer, type HealthServer } from "../helpers/health-server.js";
import { TestSchemas } from "../helpers/postgres.js";
import {
  COMMENT,
  ChatOpsGitHub,
  GREEN,
  PR,
  apiDeployment,
  commentPayload,
} from "../app/chatops-fixtures.js";
import {
  DEPLOYMENT,
  HEAD,
  deployConfig,
  openStoreAt,
  seedReplied,
  unstartedRun,
  type StoreAt,
} from "./deploy-restart-fixtures.js";

/**
 * A bot killed with SIGKILL after a deploy job succeeded, while the health check waits on the
 * deployed service, then started again on the same database: the deployment still ends (health
 * checked again, final status, one reply, the reaction) and the environment is freed. The bot
 * that dies is a real process (deploy-restart-bot.ts); the restarted ones run here, with GitHub
 * stubbed strictly, so a second reply or status fails the test.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const gh = useGitHubStub();
const schemas = new TestSchemas();
const apps: TestPylot[] = [];
let service: HealthServer;
let workdir = "";
let killed: Proc | undefined;

beforeEach(async () => {
  service = await startHealthServer({ kind: "hang" });
  // The health check is real HTTP to the local service; GitHub stays stubbed.
  nock.enableNetConnect("127.0.0.1");
  workdir = await mkdtemp(join(tmpdir(), "pylot-deploy-restart-"));
});

afterEach(async () => {
  await killed?.kill9();
  killed = undefined;
  for (const app of apps.splice(0)) await app.close();
  const local = gh.unexpected.filter((request) => request.includes(service.origin));
  gh.unexpected.splice(0, gh.unexpected.length, ...gh.unexpected.filter((r) => !local.includes(r)));
  await service.close();
  await schemas.dropAll();
  await rm(workdir, { recursive: true, force: true });
});

// A killed bot's claim to finish its deploy lapses after this; the restarted app waits for it.
const CLAIM_SECONDS = "3";

/** Runs the bot that takes `/deploy staging`, and kills it once its health check is waiting. */
async function killDuringHealthCheck(at: StoreAt): Promise<void> {
  killed = startProcess({
    name: "killed-bot",
    args: ["--import", "tsx", "test/faults/deploy-restart-bot.ts"],
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      HEALTH_ORIGIN: service.origin,
      STORE_AT: JSON.stringify(at),
      PYLOT_WORKDIR: join(workdir, "killed"),
      PYLOT_DEPLOY_CLAIM_SECONDS: CLAIM_SECONDS,
    },
  });
  const bot = killed;
  await vi
    .waitFor(
      () => {
        expect(service.requests).toContain("/health");
      },
      { timeout: 90_000 },
    )
    .catch((error: unknown) => {
      throw new Error(`${String(error)}\n${bot.output().slice(-3000)}`);
    });
  await bot.kill9();
  service.mode = { kind: "status", status: 200 };
}

async function restart(at: StoreAt, name: string): Promise<TestPylot> {
  const env = { PYLOT_WORKDIR: join(workdir, name), PYLOT_DEPLOY_CLAIM_SECONDS: CLAIM_SECONDS };
  const app = await startPylot(env, { store: await openStoreAt(at, name) });
  apps.push(app);
  return app;
}

/** GitHub for the end of deployment 101: health shown, final status, one reply, the reaction. */
function finishOf101() {
  const api = gh.api();
  const stub = new ChatOpsGitHub(api)
    .acceptStatuses(DEPLOYMENT, 2)
    .acceptReplies(1)
    .acceptReactions(1);
  const check = bodies();
  // The deploy check run the killed bot created (its fake GitHub numbers them from 1000).
  api.patch(`/repos/${REPO}/check-runs/1000`, check.keep).reply(200, { id: 1000 });
  return { stub, check };
}

function expectFinished(stub: ChatOpsGitHub, check: ReturnType<typeof bodies>): void {
  const logUrl = String(stub.statuses[0]?.body.log_url);
  expect(logUrl).toMatch(/^https:\/\/pylot\.example\/pipelines\/[0-9a-f-]+\/jobs\/deploy$/);
  expect(stub.statuses.map((s) => s.body)).toEqual([
    {
      state: "in_progress",
      description: `Checking health: ${service.origin}/health`,
      log_url: logUrl,
    },
    {
      state: "success",
      description: "deployed to staging; healthy (HTTP 200)",
      log_url: logUrl,
      environment_url: "https://staging.example.com",
    },
  ]);
  expect(stub.replies).toHaveLength(1);
  expect(stub.replies[0]).toContain(
    `✅ Deployed \`${HEAD.slice(0, 7)}\` to \`staging\` (deployment ${DEPLOYMENT})`,
  );
  expect(stub.reactions).toEqual(["rocket"]);
  expect(check.list).toMatchObject([
    {
      status: "completed",
      conclusion: "success",
      output: { title: "Deployed; healthy (HTTP 200)" },
    },
  ]);
}

describe("a deploy interrupted by SIGKILL during its health check", { timeout: 180_000 }, () => {
  it("is finished by the restarted bot, which then accepts the next /deploy", async () => {
    const at: StoreAt = { kind: "sqlite", path: join(workdir, "pylot.db") };
    await killDuringHealthCheck(at);
    const { stub, check } = finishOf101();

    const app = await restart(at, "restarted");
    const reaction = await stub.ended;
    await app.services.deployRecovery.idle();

    expect(reaction).toBe("rocket");
    expectFinished(stub, check);
    expect(await app.store.listOpenDeployRuns()).toEqual([]);
    expect(await app.store.listDeployments(REPO, "staging")).toMatchObject([
      { id: DEPLOYMENT, state: "success" },
    ]);
    expect(await nextDeployOf(app)).toBe("rocket");
  });

  it("is finished once when two PostgreSQL replicas start at the same time", async () => {
    const at: StoreAt = { kind: "postgres", schema: await schemas.create() };
    await killDuringHealthCheck(at);
    const { stub, check } = finishOf101();

    const replicas = await Promise.all([restart(at, "replica-a"), restart(at, "replica-b")]);
    const reaction = await stub.ended;
    await Promise.all(replicas.map((replica) => replica.services.deployRecovery.idle()));

    expect(reaction).toBe("rocket");
    expectFinished(stub, check);
    expect(await replicas[0].store.listOpenDeployRuns()).toEqual([]);
  });
});

/** `/deploy staging` of the next commit, from another comment: accepted and deployed. */
async function nextDeployOf(app: TestPylot): Promise<string> {
  const next = sha("e8");
  const comment = COMMENT + 1;
  const api = gh.api();
  const stub = new ChatOpsGitHub(api)
    .defaultConfig(deployConfig(service.origin))
    .permission("maintainer", "write")
    .pull(next)
    .checks(next, GREEN)
    .history("staging", [apiDeployment(DEPLOYMENT, HEAD, { pr: PR })], { [DEPLOYMENT]: "success" })
    .acceptDeployment(102)
    .acceptStatuses(102, 4)
    .acceptReplies(2)
    .acceptReactions(2, comment);
  await serveTarball(api, next, "ok");
  fakeChecks();
  // An id of its own: the killed bot's first delivery had the helper's first id.
  const payload = commentPayload("/deploy staging", { id: comment });
  await app.receive("issue_comment", payload, "after-restart");
  const reaction = await stub.ended;
  await app.services.engine.idle();
  expect(stub.deployments.map((d) => d.ref)).toEqual([next]);
  return reaction;
}

describe("a deploy whose job never started before the bot stopped", () => {
  it("ends in error and frees the environment", async () => {
    const at: StoreAt = { kind: "sqlite", path: join(workdir, "pylot.db") };
    const seeded = await openStoreAt(at, "seed");
    await seeded.startDeployRun(unstartedRun(), { staleBefore: "2000-01-01T00:00:00.000Z" });
    await seeded.close();
    const stub = new ChatOpsGitHub(gh.api())
      .acceptStatuses(DEPLOYMENT, 1)
      .acceptReplies(1)
      .acceptReactions(1);

    const app = await restart(at, "restarted");
    const reaction = await stub.ended;
    await app.services.deployRecovery.idle();

    expect(reaction).toBe("confused");
    expect(stub.statuses.map((s) => s.body)).toEqual([
      { state: "error", description: UNSTARTED_MESSAGE },
    ]);
    expect(stub.replies).toEqual([
      `💥 Deploying \`${HEAD.slice(0, 7)}\` to \`staging\` ended in error (deployment ${DEPLOYMENT}).\n\n${UNSTARTED_MESSAGE}: nothing ran, and \`staging\` is free again.`,
    ]);
    expect(await app.store.listOpenDeployRuns()).toEqual([]);
    expect(await app.store.listDeployments(REPO, "staging")).toMatchObject([
      { id: DEPLOYMENT, state: "error" },
    ]);
  });
});

describe("a deploy stopped after its reply, before the environment was freed", () => {
  it("gets its final status again and the environment back, but no second reply", async () => {
    const at: StoreAt = { kind: "sqlite", path: join(workdir, "pylot.db") };
    const seeded = await openStoreAt(at, "seed");
    await seedReplied(seeded, unstartedRun());
    await seeded.close();
    const stub = new ChatOpsGitHub(gh.api()).acceptStatuses(DEPLOYMENT, 1).acceptReactions(1);

    const app = await restart(at, "restarted");
    const reaction = await stub.ended;
    await app.services.deployRecovery.idle();

    expect(reaction).toBe("rocket");
    expect(stub.statuses.map((s) => s.body.state)).toEqual(["success"]);
    expect(stub.replies).toEqual([]);
    expect(await app.store.listOpenDeployRuns()).toEqual([]);
  });
});

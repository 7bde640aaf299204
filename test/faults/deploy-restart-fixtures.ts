import { DEPLOY_EXTERNAL, deployPipeline } from "../../src/deploy/deploy-job.js";
import type { DeployRun, Store } from "../../src/engine/ports.js";
import { newJobRecord, newPipelineRecord } from "../../src/engine/records.js";
import { PostgresStore, SqliteStore } from "../../src/store/index.js";
import { REPO, sha } from "../helpers/github-app.js";
import { silentLog } from "../helpers/github.js";
import { TEST_DATABASE_URL } from "../helpers/postgres.js";
import { COMMENT, PIPELINE_ONLY, PR } from "../app/chatops-fixtures.js";

/** What the fault test and the bot it kills (deploy-restart-bot.ts) agree on. */

export const HEAD = sha("d7");
export const DEPLOYMENT = 101;

/** Where the bots keep their state: a SQLite file, or a PostgreSQL schema shared by replicas. */
export type StoreAt =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly schema: string };

export async function openStoreAt(at: StoreAt, name: string): Promise<Store> {
  if (at.kind === "sqlite") return SqliteStore.open({ path: at.path, logger: silentLog });
  return PostgresStore.open({
    url: TEST_DATABASE_URL,
    logger: silentLog,
    schema: at.schema,
    applicationName: `pylot-${name}`,
  });
}

/**
 * Staging tells the local service which commit it deployed; its health check polls the
 * service for up to a minute, long enough for the test to kill the bot in the middle.
 */
export function deployConfig(origin: string): string {
  const announce = `u.urlopen(''${origin}/deployed/'' + os.environ[''PYLOT_SHA''])`;
  return `${PIPELINE_ONLY}
deploy:
  staging:
    run: 'python -c "import os, urllib.request as u; ${announce}"'
    allow: [write]
    url: https://staging.example.com
    health: { url: "${origin}/health", timeout: 60 }
`;
}

/** A run claimed ten minutes ago whose deploy pipeline was never created. */
export function unstartedRun(): DeployRun {
  return {
    repo: REPO,
    deploymentId: DEPLOYMENT,
    installationId: 1,
    origin: { kind: "comment", pr: PR, commentId: COMMENT },
    actor: "maintainer",
    plan: {
      env: "staging",
      sha: HEAD,
      task: "deploy",
      productionEnvironment: false,
      run: "./deploy.sh",
      pr: PR,
      requires: [],
      bypassedChecks: [],
    },
    createdAt: new Date(Date.now() - 10 * 60_000).toISOString(),
  };
}

/** The run, and its deploy pipeline completed with the reply already recorded on its job. */
export async function seedReplied(store: Store, run: DeployRun): Promise<void> {
  await store.startDeployRun(run, { staleBefore: "2000-01-01T00:00:00.000Z" });
  const now = new Date().toISOString();
  const pipeline = {
    ...newPipelineRecord({
      trigger: { source: "github", event: "deploy", sha: HEAD, ref: HEAD, repo: REPO },
      plan: deployPipeline({
        plan: run.plan,
        deploymentId: run.deploymentId,
        python: "3.11",
        timeoutMs: 60_000,
        secrets: {},
      }),
      source: { kind: "github", repo: REPO, sha: HEAD, installationId: 1 },
      now,
    }),
    status: "completed" as const,
    conclusion: "success" as const,
  };
  const jobs = pipeline.plan.jobs.map((spec) => ({
    ...newJobRecord(pipeline.id, spec),
    state: "completed" as const,
    conclusion: "success" as const,
    finishedAt: now,
    external: { [DEPLOY_EXTERNAL.reply]: `https://github.com/${REPO}/pull/${PR}#c` },
  }));
  await store.createPipeline(pipeline, jobs);
}

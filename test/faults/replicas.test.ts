import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { PostgresStore } from "../../src/store/index.js";
import { fakeChecks } from "../helpers/github-checks.js";
import { REPO, serveTarball, sha, startPylot, type TestPylot } from "../helpers/github-app.js";
import { silentLog, useGitHubStub } from "../helpers/github.js";
import { TEST_DATABASE_URL, TestSchemas } from "../helpers/postgres.js";
import { ChatOpsGitHub, DEPLOY_CONFIG, GREEN, commentPayload } from "../app/chatops-fixtures.js";

/**
 * Two bot replicas on one PostgreSQL store, as behind a load balancer, both handed the same
 * `/deploy` delivery at once (GitHub's redelivery, or a proxy retrying): one deployment, one
 * set of replies and reactions. The GitHub stub answers each request once and fails the test on
 * any other, so the second replica may not even read.
 */

const gh = useGitHubStub();
const schemas = new TestSchemas();
const replicas: TestPylot[] = [];

afterEach(async () => {
  for (const replica of replicas.splice(0)) await replica.close();
  await schemas.dropAll();
});

async function replica(schema: string): Promise<TestPylot> {
  const store = await PostgresStore.open({
    url: TEST_DATABASE_URL,
    logger: silentLog,
    schema,
    applicationName: `pylot-replica-${randomBytes(3).toString("hex")}`,
  });
  const app = await startPylot({ PYLOT_ENV_STAGING_TOKEN: "replica-token" }, { store });
  replicas.push(app);
  return app;
}

describe("two replicas handed the same /deploy delivery", { timeout: 120_000 }, () => {
  it("make exactly one deployment", async () => {
    const schema = schemas.name();
    const [a, b] = [await replica(schema), await replica(schema)];
    const head = sha("e5");
    const api = gh.api();
    const stub = new ChatOpsGitHub(api)
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .pull(head)
      .checks(head, GREEN)
      .history("staging", [], {})
      .acceptDeployment(301)
      .acceptStatuses(301, 3)
      .acceptReplies(2)
      .acceptReactions(2);
    await serveTarball(api, head, "ok");
    const checks = fakeChecks();
    const payload = commentPayload("/deploy staging");

    await Promise.all([
      a.receive("issue_comment", payload, "deploy-delivery-1"),
      b.receive("issue_comment", payload, "deploy-delivery-1"),
    ]);
    const reaction = await stub.ended;
    await Promise.all([a.services.engine.idle(), b.services.engine.idle()]);

    expect(reaction).toBe("rocket");
    expect(stub.deployments).toHaveLength(1);
    expect(stub.reactions).toEqual(["eyes", "rocket"]);
    expect(stub.statuses.map((status) => status.body.state)).toEqual([
      "queued",
      "in_progress",
      "success",
    ]);
    expect(checks.named("Pylot / deploy (staging)")).toHaveLength(1);
    expect(await a.store.listDeployments(REPO)).toMatchObject([{ id: 301, state: "success" }]);
  });
});

import nock from "nock";
import { fakeChecks } from "../helpers/github-checks.js";
import { serveTarball, startPylot } from "../helpers/github-app.js";
import { API } from "../helpers/github.js";
import { ChatOpsGitHub, GREEN, commentPayload } from "../app/chatops-fixtures.js";
import {
  DEPLOYMENT,
  HEAD,
  deployConfig,
  openStoreAt,
  type StoreAt,
} from "./deploy-restart-fixtures.js";

/**
 * The bot deploy-restart.test.ts kills: the real app on the test's store, with GitHub stubbed
 * by nock in this process, handed `/deploy staging`. It runs until the test kills it with
 * SIGKILL while its health check waits on the test's service. Run with `node --import tsx`.
 */

const origin = process.env["HEALTH_ORIGIN"] ?? "";
const at = JSON.parse(process.env["STORE_AT"] ?? "{}") as StoreAt;

nock.disableNetConnect();
nock.enableNetConnect("127.0.0.1");
const api = nock(API);
new ChatOpsGitHub(api)
  .defaultConfig(deployConfig(origin))
  .permission("maintainer", "write")
  .pull(HEAD)
  .checks(HEAD, GREEN)
  .history("staging", [], {})
  .acceptDeployment(DEPLOYMENT)
  .acceptStatuses(DEPLOYMENT, 3)
  .acceptReplies(1)
  .acceptReactions(1);
await serveTarball(api, HEAD, "ok");
fakeChecks();
const pylot = await startPylot(
  {
    PYLOT_WORKDIR: process.env["PYLOT_WORKDIR"] ?? "",
    PYLOT_DEPLOY_CLAIM_SECONDS: process.env["PYLOT_DEPLOY_CLAIM_SECONDS"] ?? "",
  },
  { store: await openStoreAt(at, "killed") },
);
await pylot.receive("issue_comment", commentPayload("/deploy staging"));
process.stdout.write("deploy accepted\n");

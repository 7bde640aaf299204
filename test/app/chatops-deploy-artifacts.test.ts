import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KeptArtifact } from "../../src/artifacts/index.js";
import { badgeToken } from "../../src/http/badge-token.js";
import { fakeChecks, type FakeChecks } from "../helpers/github-checks.js";
import {
  REPO,
  pushPayload,
  serveConfig,
  serveTarball,
  sha,
  usePylot,
} from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { ChatOpsGitHub, GREEN, PR, apiDeployment, commentPayload } from "./chatops-fixtures.js";

/**
 * "Deploy the tested artifact" through the App: a push pipeline of the wheel-app fixture builds
 * a real wheel and sdist, which the engine keeps; `/deploy` and `/rollback` hand the deploy job
 * exactly those files (PYLOT_ARTIFACTS, PYLOT_WHEEL), record their hashes on the GitHub
 * deployment and list them in the reply; a commit without a successful build deploys nothing.
 */

const gh = useGitHubStub();
const BADGE_SECRET = "badge-secret-for-logs";
const pylot = usePylot({ PYLOT_BADGE_SECRET: BADGE_SECRET });

/** What the deploy command saw, written outside the job: the witness of what it got. */
let witness = "";
beforeEach(async () => {
  witness = await mkdtemp(join(tmpdir(), "pylot-deploy-witness-"));
});
afterEach(async () => {
  await rm(witness, { recursive: true, force: true });
});

/** The commit's own config: one quick test leg, then a real `python -m build`. */
const BUILD = `
python: ["3.11"]
venv: { system-site-packages: true }
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -c pass", coverage: false }
build: { wheel: true }
`;

/** The default branch's: the same build, and a staging whose command reports what it got. */
function deployConfig(): string {
  const run = [
    `cd "$PYLOT_ARTIFACTS"`,
    `sha256sum * > ${witness}/folder.sha256`,
    `sha256sum "$PYLOT_WHEEL" > ${witness}/wheel.sha256`,
  ].join(" && ");
  return `${BUILD}deploy:\n  staging:\n    run: '${run}'\n    allow: [write]\n`;
}

/** A push pipeline of the wheel-app fixture at `commit`; its kept files. */
async function built(commit: string): Promise<{ kept: KeptArtifact[]; checks: FakeChecks }> {
  const api = gh.api();
  const checks = fakeChecks();
  serveConfig(api, commit, BUILD);
  await serveTarball(api, commit, "wheel-app");
  await pylot().receive("push", pushPayload(commit, "refs/heads/feature"));
  const view = await pylot().settle(commit);
  expect(view.jobs.map((job) => [job.spec.key, job.conclusion])).toEqual([
    ["test-3.11-linux", "success"],
    ["build", "success"],
  ]);
  return { kept: await pylot().services.artifacts.artifactsFor(REPO, commit), checks };
}

/** `sha256sum` lines as { name → digest }, names without their folder. */
async function witnessed(file: string): Promise<Record<string, string>> {
  const text = await readFile(join(witness, file), "utf8");
  return Object.fromEntries(
    text
      .trim()
      .split("\n")
      .map((line) => {
        const [digest = "", path = ""] = line.split(/\s+/);
        return [path.split("/").at(-1) ?? "", digest];
      }),
  );
}

function byName(kept: readonly KeptArtifact[]): Record<string, string> {
  return Object.fromEntries(kept.map(({ record }) => [record.name, record.sha256]));
}

describe("a deploy of a project that builds", () => {
  it("hands the deploy job exactly the files CI built, and records their hashes", async () => {
    const head = sha("a7");
    const { kept, checks } = await built(head);
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(deployConfig())
      .permission("maintainer", "write")
      .pull(head)
      .checks(head, GREEN)
      .history("staging", [], {})
      .acceptDeployment(301)
      .acceptStatuses(301, 3)
      .acceptReplies(2)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/deploy staging"));
    const reaction = await stub.ended;
    await pylot().services.engine.idle();

    const names = kept.map(({ record }) => record.name);
    const token = badgeToken({ secret: BADGE_SECRET, repo: REPO, kind: "logs" });
    const check = checks.latest("Pylot / deploy (staging)");
    expect(names).toEqual(["wheel-app-1.2.3.tar.gz", "wheel_app-1.2.3-py3-none-any.whl"]);
    expect(reaction).toBe("rocket");
    expect(await witnessed("folder.sha256")).toEqual(byName(kept));
    expect(await witnessed("wheel.sha256")).toEqual({
      "wheel_app-1.2.3-py3-none-any.whl": byName(kept)["wheel_app-1.2.3-py3-none-any.whl"],
    });
    expect(stub.deployments[0]?.payload).toEqual({
      pylot: 1,
      actor: "maintainer",
      pr: PR,
      command: "/deploy staging",
      artifacts: kept.map(({ record }) => ({
        name: record.name,
        sha256: record.sha256,
        size: record.size,
      })),
    });
    const files = kept.map(
      ({ record }) => `\`${record.name}\` (\`${record.sha256.slice(0, 12)}\`)`,
    );
    expect(stub.replies[0]?.split("\n")[1]).toBe(`- Artifacts: ${files.join(", ")}.`);
    expect(check?.details_url).toMatch(
      new RegExp(`^https://pylot\\.example/pipelines/[0-9a-f-]+/jobs/deploy\\?token=${token}$`),
    );
    expect(stub.statuses.map((s) => s.body.log_url)).toEqual([
      undefined,
      check?.details_url,
      check?.details_url,
    ]);
  });

  it("refuses a commit with no successful build, and creates no deployment", async () => {
    const head = sha("b8");
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(deployConfig())
      .permission("maintainer", "write")
      .pull(head)
      .checks(head, GREEN)
      .history("staging", [], {})
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/deploy staging"));

    expect(stub.reactions).toEqual(["eyes", "confused"]);
    expect(stub.replies).toEqual([
      "🚫 `/deploy` refused: b8b8b8b has no successful build \\(no pipeline ran on it\\): build first: /retest.",
    ]);
    expect(stub.deployments).toEqual([]);
    expect(await readdir(witness)).toEqual([]);
  });

  it("/rollback re-deploys the earlier commit's kept files, without a rebuild", async () => {
    const [good, bad] = [sha("c9"), sha("d0")];
    const { kept } = await built(good);
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(deployConfig())
      .permission("maintainer", "write")
      .history("staging", [apiDeployment(30, bad, { pr: 3 }), apiDeployment(20, good)], {
        30: "success",
        20: "inactive",
      })
      .acceptDeployment(40)
      .acceptStatuses(40, 3)
      .acceptStatuses(30, 1)
      .acceptReplies(2)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/rollback staging"));
    const reaction = await stub.ended;
    await pylot().services.engine.idle();

    const ci = await pylot().store.findPipelineBySha(REPO, good);
    const jobs = await pylot().store.listJobs(ci?.id ?? "");
    const files = kept.map(
      ({ record }) => `\`${record.name}\` (\`${record.sha256.slice(0, 12)}\`)`,
    );
    expect(reaction).toBe("rocket");
    expect(stub.deployments[0]).toMatchObject({
      ref: good,
      task: "deploy:rollback",
      payload: {
        rollbackFrom: 30,
        artifacts: kept.map(({ record }) => ({
          name: record.name,
          sha256: record.sha256,
          size: record.size,
        })),
      },
    });
    expect(stub.replies[0]?.split("\n")[1]).toBe(
      `- Artifacts of \`c9c9c9c\`, not rebuilt: ${files.join(", ")}.`,
    );
    expect(await witnessed("folder.sha256")).toEqual(byName(kept));
    expect(jobs.map((job) => [job.spec.key, job.attempt])).toEqual([
      ["test-3.11-linux", 1],
      ["build", 1],
    ]);
  });
});

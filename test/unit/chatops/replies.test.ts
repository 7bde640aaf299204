import { describe, expect, it } from "vitest";
import { renderHelp } from "../../../src/chatops/help.js";
import { parseCommand } from "../../../src/chatops/parse-command.js";
import {
  renderDeployAccepted,
  renderDeployFinished,
  renderDryRun,
  renderInvalid,
  renderLockOutcome,
  renderOkToTest,
  renderRefused,
  renderRetest,
  renderUnhealthy,
} from "../../../src/chatops/replies.js";
import type { DeployPlan } from "../../../src/deploy/gate.js";
import type { LockOutcome } from "../../../src/deploy/locks.js";
import { A, B, C, dep } from "../deploy/history-fixtures.js";

const plan: DeployPlan = {
  env: "staging",
  sha: C,
  task: "deploy",
  productionEnvironment: false,
  run: "./scripts/deploy.sh staging",
  pr: 7,
  requires: [],
  bypassedChecks: [],
};
const rollbackPlan: DeployPlan = {
  ...plan,
  sha: A,
  task: "deploy:rollback",
  rollback: { from: dep(42, B, "success"), to: dep(40, A, "inactive") },
};
const LOG = "https://github.com/o/r/runs/99";
const hostile = "@everyone <b>hi</b> `x` [click](https://evil.example) other/repo#1";

describe("replies", () => {
  it.each<{ name: string; render: () => string; expected: string }>([
    {
      name: "deploy accepted",
      render: () => renderDeployAccepted({ plan, deploymentId: 43, logUrl: LOG }),
      expected: `🚀 Deploying \`ccccccc\` to \`staging\`: deployment 43 · [log](${LOG}).`,
    },
    {
      name: "forced production deploy",
      render: () =>
        renderDeployAccepted({
          plan: {
            ...plan,
            env: "production",
            productionEnvironment: true,
            requires: [{ env: "staging", deploymentId: 41 }],
            bypassedChecks: ["Pylot / lint (failure)"],
          },
          deploymentId: 43,
        }),
      expected: [
        "🚀 Deploying `ccccccc` to `production`: deployment 43.",
        "- `production` is a production environment.",
        "- Requires `staging`: deployed there as deployment 41.",
        "- ⚠️ Forced past: Pylot / lint \\(failure\\).",
      ].join("\n"),
    },
    {
      name: "rollback accepted",
      render: () => renderDeployAccepted({ plan: rollbackPlan, deploymentId: 43, logUrl: LOG }),
      expected: `⏪ Rolling \`staging\` back from \`bbbbbbb\` (deployment 42) to \`aaaaaaa\` (deployment 40): deployment 43 · [log](${LOG}).`,
    },
    {
      name: "deploy accepted with the build's files and image",
      render: () =>
        renderDeployAccepted({
          plan: {
            ...plan,
            artifacts: [
              { name: "app-1.0-py3-none-any.whl", kind: "wheel", size: 9, sha256: "0a".repeat(32) },
              { name: "app <b>.tar.gz", kind: "sdist", size: 9, sha256: "1b".repeat(32) },
            ],
            image: `sha256:${"2c".repeat(32)}`,
          },
          deploymentId: 43,
        }),
      expected: [
        "🚀 Deploying `ccccccc` to `staging`: deployment 43.",
        "- Artifacts: `app-1.0-py3-none-any.whl` (`0a0a0a0a0a0a`), app &lt;b&gt;.tar.gz (`1b1b1b1b1b1b`).",
        "- Image: `sha256:2c2c2c2c2c2c`.",
      ].join("\n"),
    },
    {
      name: "rollback accepted: the earlier commit's files, not rebuilt",
      render: () =>
        renderDeployAccepted({
          plan: {
            ...rollbackPlan,
            artifacts: [{ name: "app-0.9.whl", kind: "wheel", size: 9, sha256: "3d".repeat(32) }],
          },
          deploymentId: 43,
        }),
      expected: [
        "⏪ Rolling `staging` back from `bbbbbbb` (deployment 42) to `aaaaaaa` (deployment 40): deployment 43.",
        "- Artifacts of `aaaaaaa`, not rebuilt: `app-0.9.whl` (`3d3d3d3d3d3d`).",
      ].join("\n"),
    },
    {
      name: "rollback finished",
      render: () =>
        renderDeployFinished({ plan: rollbackPlan, deploymentId: 43, state: "success" }),
      expected:
        "⏪ `staging` went back from `bbbbbbb` to `aaaaaaa` (deployment 43; deployment 42 is now inactive).",
    },
    {
      name: "deploy finished with links",
      render: () =>
        renderDeployFinished({
          plan,
          deploymentId: 43,
          state: "success",
          logUrl: LOG,
          environmentUrl: "https://staging.example.com",
        }),
      expected: `✅ Deployed \`ccccccc\` to \`staging\` (deployment 43) · [log](${LOG}) · [staging](https://staging.example.com).`,
    },
    {
      name: "deploy failed",
      render: () => renderDeployFinished({ plan, deploymentId: 43, state: "failure", logUrl: LOG }),
      expected: `❌ Deploying \`ccccccc\` to \`staging\` ended in failure (deployment 43) · [log](${LOG}).`,
    },
    {
      name: "automatic rollback finished: the unhealthy deployment stays failed",
      render: () =>
        renderDeployFinished({
          plan: {
            ...rollbackPlan,
            rollback: { from: dep(42, B, "failure"), to: dep(40, A, "inactive") },
          },
          deploymentId: 43,
          state: "success",
        }),
      expected: "⏪ `staging` went back from `bbbbbbb` to `aaaaaaa` (deployment 43).",
    },
    ...(
      [
        [
          "started",
          { kind: "started", to: dep(40, A, "success"), deploymentId: 44, logUrl: LOG },
          `⏪ Rolling back by itself to \`aaaaaaa\` (deployment 40): deployment 44 · [log](${LOG}).`,
        ],
        [
          "not-started",
          { kind: "not-started", message: "staging is locked by PR #9 (bob)." },
          "Not rolled back: staging is locked by PR #&#8203;9 \\(bob\\).",
        ],
        [
          "not-tried",
          { kind: "not-tried" },
          "This was a rollback, so Pylot does not roll back again: `staging` needs a look.",
        ],
      ] as const
    ).map(([kind, rollback, tail]) => ({
      name: `unhealthy, rollback ${kind}`,
      render: () =>
        renderUnhealthy({
          plan,
          deploymentId: 43,
          url: "https://staging.example.com/health",
          reason: "HTTP 503 after 4 attempts",
          logUrl: LOG,
          rollback,
        }),
      expected: `❌ Deployed \`ccccccc\` to \`staging\` (deployment 43), but its [health check](https://staging.example.com/health) failed: HTTP 503 after 4 attempts · [log](${LOG}). The deployment is marked failed.\n\n${tail}`,
    })),
    {
      name: "dry run",
      render: () => renderDryRun({ ...plan, run: "echo ```` && ./deploy" }),
      expected: [
        "🧪 Dry run: every gate passed; this would deploy `ccccccc` to `staging` (task `deploy`) and run:",
        "",
        "`````sh",
        "echo ```` && ./deploy",
        "`````",
        "",
        "No deployment was created.",
      ].join("\n"),
    },
    {
      name: "refused",
      render: () =>
        renderRefused({
          command: "deploy",
          message: "Checks on ccccccc are not green: Pylot / lint (failure).",
        }),
      expected:
        "🚫 `/deploy` refused: Checks on ccccccc are not green: Pylot / lint \\(failure\\).",
    },
    {
      name: "ok-to-test",
      render: () => renderOkToTest(C),
      expected: "✅ Approved `ccccccc` for testing. A later push needs a new `/ok-to-test`.",
    },
    {
      name: "retest",
      render: () => renderRetest({ sha: C, jobs: 2 }),
      expected: "🔁 Running 2 failed jobs of `ccccccc` again.",
    },
    {
      name: "retest nothing",
      render: () => renderRetest({ sha: C, jobs: 0 }),
      expected: "Nothing to run again: no job of `ccccccc` failed.",
    },
  ])("$name", ({ render, expected }) => {
    const markdown = render();

    expect(markdown).toBe(expected);
  });
});

describe("lock replies", () => {
  const lock = { env: "staging", pr: 12, actor: "alice", since: "2024-05-01T09:30:00Z" };

  it.each<{ outcome: LockOutcome; expected: string }>([
    {
      outcome: { kind: "acquire", lock: { ...lock, reason: "QA *today*" } },
      expected:
        "🔒 `staging` is locked for this pull request: QA \\*today\\*. Others cannot deploy to it until `/unlock staging`, a merge or a close.",
    },
    {
      outcome: { kind: "already-held", lock },
      expected:
        "🔒 `staging` is already locked for this pull request (since 2024-05-01 09:30 UTC).",
    },
    { outcome: { kind: "release", lock, override: false }, expected: "🔓 `staging` is unlocked." },
    {
      outcome: { kind: "release", lock, override: true },
      expected:
        "🔓 `staging` is unlocked: an admin released the lock of PR #12, held by `alice` since 2024-05-01 09:30 UTC.",
    },
    {
      outcome: { kind: "nothing-to-release", env: "staging" },
      expected: "🔓 `staging` was not locked; nothing to release.",
    },
    {
      outcome: {
        kind: "refused",
        reason: "held-by-other",
        lock,
        message: "staging is locked by PR #12 (alice).",
      },
      expected: "🚫 staging is locked by PR #&#8203;12 \\(alice\\).",
    },
  ])("$outcome.kind", ({ outcome, expected }) => {
    const markdown = renderLockOutcome(outcome);

    expect(markdown).toBe(expected);
  });
});

describe("user text cannot ping, link or inject", () => {
  it.each<{ name: string; render: (text: string) => string }>([
    {
      name: "lock reason",
      render: (text) =>
        renderLockOutcome({
          kind: "acquire",
          lock: { env: "staging", pr: 1, actor: "a", since: "x", reason: text },
        }),
    },
    {
      name: "refusal message",
      render: (text) => renderRefused({ command: "lock", message: text }),
    },
    {
      name: "invalid reason",
      render: (text) => renderInvalid({ command: "deploy", reason: text }, ["staging"]),
    },
    {
      name: "bypassed check name",
      render: (text) => renderDryRun({ ...plan, bypassedChecks: [text] }),
    },
  ])("$name", ({ render }) => {
    const markdown = render(hostile);

    expect(markdown).not.toMatch(/@everyone|<b>|\]\(https|repo#1|(?<!\\)`x/);
    expect(markdown).toContain("@&#8203;everyone &lt;b&gt;hi&lt;/b&gt; \\`x\\`");
  });
});

describe("renderHelp", () => {
  it("lists every command and the environments with their bar", () => {
    const markdown = renderHelp({
      staging: { allow: ["write"] },
      production: { allow: ["admin", "maintain"] },
      locked: { allow: [] },
    });

    for (const command of [
      "/deploy",
      "/rollback",
      "/lock",
      "/unlock",
      "/retest",
      "/ok-to-test",
      "/help",
      "/badge",
    ]) {
      expect(markdown).toContain(`| \`${command}`);
    }
    expect(markdown).toContain(
      "Environments: `staging` (write or higher), `production` (maintain or higher), `locked` (nobody).",
    );
  });

  it.each([
    { environments: ["staging", "bad name`"], line: "Environments: `staging`." },
    { environments: [], line: "No deploy environments are configured" },
  ])("environments $environments", ({ environments, line }) => {
    const markdown = renderHelp(environments);

    expect(markdown).toContain(line);
  });

  it("is never itself read as a command", () => {
    const markdown = renderHelp(["staging"]);

    const parsed = parseCommand(markdown, { environments: ["staging"] });

    expect(parsed).toEqual({ kind: "none" });
  });

  it("an invalid reply is never itself read as a command", () => {
    const reply = renderInvalid(
      { command: "deploy", reason: "which environment? Usage: /deploy <env>." },
      ["staging"],
    );

    const parsed = parseCommand(reply, { environments: ["staging"] });

    expect(parsed).toEqual({ kind: "none" });
  });
});

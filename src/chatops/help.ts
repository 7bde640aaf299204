import type { DeployEnvironment } from "../config/schema.js";
import { requiredPermission } from "./permission.js";
import { code } from "./text.js";

const ROWS: readonly (readonly [command: string, what: string, who: string])[] = [
  [
    "/deploy <env>",
    "Deploy the head commit of this pull request, once its checks are green",
    "env",
  ],
  ["/deploy <env> --dry-run", "Run every gate and show the plan; deploy nothing", "env"],
  ["/deploy <env> --force", "Deploy although checks are red or still running", "admin"],
  ["/rollback <env>", "Deploy again the last good deployment before the current one", "env"],
  ["/rollback <env> to <sha\\|id>", "Deploy again a past successful deployment", "env"],
  ["/lock <env> [reason]", "Hold the environment for this pull request", "env"],
  ["/unlock <env>", "Release it (an admin may release another pull request's lock)", "env"],
  ["/retest", "Run the failed jobs of the head commit again", "write"],
  ["/ok-to-test", "Let a fork's pull request run its jobs, for its current head commit", "write"],
  ["/badge", "Post the status and coverage badge links", "read"],
  ["/help", "Show this list", "anyone"],
];

type Environments = readonly string[] | Readonly<Record<string, Pick<DeployEnvironment, "allow">>>;

function isNameList(environments: Environments): environments is readonly string[] {
  return Array.isArray(environments);
}

function describeEnvironments(environments: Environments): string {
  const entries = isNameList(environments)
    ? environments.map((env): [string, string] => [env, ""])
    : Object.entries(environments).map(([env, config]): [string, string] => {
        const need = requiredPermission(config.allow);
        return [env, need === undefined ? " (nobody)" : ` (${need} or higher)`];
      });
  const safe = entries.filter(([env]) => /^[A-Za-z0-9._-]{1,64}$/.test(env));
  if (safe.length === 0)
    return "No deploy environments are configured (`deploy:` in `.github/pylot.yml`).";
  return `Environments: ${safe.map(([env, who]) => `${code(env)}${who}`).join(", ")}.`;
}

/**
 * The `/help` reply. Commands sit in code spans at the start of table cells, so the reply
 * can never be read as a command itself.
 */
export function renderHelp(environments: Environments): string {
  const rows = ROWS.map(([command, what, who]) => {
    const needs = who === "env" ? "the environment's `allow`" : who;
    return `| \`${command}\` | ${what} | ${needs} |`;
  });
  return [
    "**Pylot commands**: write one at the start of a line of a pull request comment.",
    "",
    "| Command | What it does | Who may |",
    "| --- | --- | --- |",
    ...rows,
    "",
    describeEnvironments(environments),
    "`allow: [write]` admits write, maintain and admin: the lowest permission listed is the bar.",
  ].join("\n");
}

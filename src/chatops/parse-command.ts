import type { RollbackRequest } from "../deploy/types.js";
import { COMMAND_NAMES, USAGE, type CommandName, type ParsedComment } from "./commands.js";
import { plainLines } from "./markdown-lines.js";
import { sanitizeText } from "./text.js";

export interface ParseOptions {
  /** Environment names of the default branch's deploy config. */
  readonly environments: readonly string[];
}

export const MAX_LOCK_REASON = 200;
const ENV_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const SAFE_TOKEN = /^[A-Za-z0-9._-]+$/;
const SHA = /^[0-9a-f]{7,40}$/;
const DEPLOYMENT_ID = /^[0-9]{1,15}$/;
/** Shown back to the author only when already validated as SAFE_TOKEN; long ones are cut. */
const shown = (token: string) => `"${token.length > 40 ? `${token.slice(0, 40)}…` : token}"`;

type Invalid = Extract<ParsedComment, { kind: "invalid" }>;
const invalid = (command: CommandName, reason: string): Invalid => ({
  kind: "invalid",
  command,
  reason,
});

/**
 * The Pylot command a comment holds. The first line of plain text whose first token is exactly
 * a command name decides, and nothing after it is read. Case-sensitive; arguments are checked
 * against allow-lists, never interpreted.
 */
export function parseCommand(body: string, options: ParseOptions): ParsedComment {
  for (const line of plainLines(body)) {
    const match = /^ {0,3}\/([a-z-]+)(?=[ \t]|$)/.exec(line);
    const name = COMMAND_NAMES.find((command) => command === match?.[1]);
    if (match === null || name === undefined) continue;
    return parseArguments(name, line.slice(match[0].length).replace(/[ \t]+$/, ""), options);
  }
  return { kind: "none" };
}

function parseArguments(name: CommandName, rest: string, options: ParseOptions): ParsedComment {
  if (name === "lock") return parseLock(rest, options);
  const tokens = rest.split(/[ \t]+/).filter((token) => token !== "");
  if (tokens.some((token) => !SAFE_TOKEN.test(token))) {
    return invalid(
      name,
      `arguments may only use letters, digits, ".", "_" and "-" (usage: ${USAGE[name]}).`,
    );
  }
  switch (name) {
    case "deploy":
      return parseDeploy(tokens, options);
    case "rollback":
      return parseRollback(tokens, options);
    case "unlock": {
      const env = environment(name, tokens, options);
      return typeof env === "string" ? { kind: "unlock", env } : env;
    }
    case "retest":
    case "ok-to-test":
    case "help":
    case "badge":
      return tokens.length === 0
        ? { kind: name }
        : invalid(name, `/${name} takes no arguments; got ${shown(tokens[0] ?? "")}.`);
  }
}

/** The environment of `tokens[0]` (anything after it is the caller's to check). */
function environment(
  name: CommandName,
  tokens: readonly string[],
  options: ParseOptions,
): string | Invalid {
  const [env, extra] = tokens;
  if (env === undefined || env.startsWith("-")) {
    return invalid(name, `which environment? Usage: ${USAGE[name]}.`);
  }
  if (!ENV_NAME.test(env)) return invalid(name, "environment names are at most 64 characters.");
  if (!options.environments.includes(env)) {
    const known = options.environments.filter((known) => ENV_NAME.test(known));
    const list = known.length === 0 ? "none is configured" : `configured: ${known.join(", ")}`;
    return invalid(name, `unknown environment ${shown(env)} (${list}).`);
  }
  if (name === "unlock" && extra !== undefined) {
    return invalid(name, `unexpected ${shown(extra)} (usage: ${USAGE.unlock}).`);
  }
  return env;
}

const DEPLOY_FLAGS = new Set(["--dry-run", "--force"]);

function parseDeploy(tokens: readonly string[], options: ParseOptions): ParsedComment {
  const flags = tokens.filter((token) => token.startsWith("-"));
  const positional = tokens.filter((token) => !token.startsWith("-"));
  const unknown = flags.find((flag) => !DEPLOY_FLAGS.has(flag));
  if (unknown !== undefined) {
    return invalid("deploy", `unknown flag ${shown(unknown)} (usage: ${USAGE.deploy}).`);
  }
  const env = environment("deploy", positional, options);
  if (typeof env !== "string") return env;
  if (positional.length > 1) {
    return invalid(
      "deploy",
      `one environment at a time; unexpected ${shown(positional[1] ?? "")}.`,
    );
  }
  return {
    kind: "deploy",
    env,
    dryRun: flags.includes("--dry-run"),
    force: flags.includes("--force"),
  };
}

function parseRollback(tokens: readonly string[], options: ParseOptions): ParsedComment {
  const flag = tokens.find((token) => token.startsWith("-"));
  if (flag !== undefined) {
    return invalid("rollback", `unknown flag ${shown(flag)} (usage: ${USAGE.rollback}).`);
  }
  const env = environment("rollback", tokens, options);
  if (typeof env !== "string") return env;
  const [, to, target, extra] = tokens;
  if (to === undefined) return { kind: "rollback", env };
  if (to !== "to" || target === undefined || extra !== undefined) {
    return invalid("rollback", `usage: ${USAGE.rollback}.`);
  }
  const request = rollbackRequest(target);
  return typeof request === "string"
    ? invalid("rollback", request)
    : { kind: "rollback", env, target: request };
}

/** Digits name a deployment id (unless 40 long); a SHA prefix of only digits needs more. */
function rollbackRequest(target: string): RollbackRequest | string {
  if (/^[0-9]+$/.test(target) && target.length !== 40) {
    if (!DEPLOYMENT_ID.test(target)) return "that deployment id is too long.";
    const id = Number(target);
    return id > 0 ? { kind: "deployment", id } : "deployment ids start at 1.";
  }
  if (SHA.test(target)) return { kind: "sha", sha: target };
  return `${shown(target)} is neither a deployment id nor a commit SHA (7 to 40 lowercase hex characters).`;
}

/** `/lock <env> [reason]`: the reason is the rest of the line, kept as plain text only. */
function parseLock(rest: string, options: ParseOptions): ParsedComment {
  const match = /^[ \t]+([^ \t]+)(.*)$/s.exec(rest);
  const token = match?.[1];
  if (match === null || token === undefined) {
    return invalid("lock", `which environment? Usage: ${USAGE.lock}.`);
  }
  if (!SAFE_TOKEN.test(token)) {
    return invalid(
      "lock",
      `environment names may only use letters, digits, ".", "_" and "-" (usage: ${USAGE.lock}).`,
    );
  }
  const env = environment("lock", [token], options);
  if (typeof env !== "string") return env;
  const reason = sanitizeText(match[2] ?? "", MAX_LOCK_REASON);
  return reason === "" ? { kind: "lock", env } : { kind: "lock", env, reason };
}

import { formatPath, quote, type Problem } from "./errors.js";

/**
 * Probot's `_extends: owner/repo[:path.yml]` inherits another repository's config. Probot
 * resolves it (and removes it) before the App sees the value; the CLI cannot fetch other repos,
 * so it checks the value's shape and ignores it. Not part of PylotConfig, hence kept here.
 */
export const EXTENDS_KEY = "_extends";

/**
 * Probot's own pattern (@probot/octokit-plugin-config), so both accept the same values. Its `i`
 * flag is spelled out as `A-Za-z`: JSON Schema patterns have no flags.
 */
export const EXTENDS_PATTERN =
  /^(?:([A-Za-z\d](?:[A-Za-z\d]|-(?=[A-Za-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.[Yy][Aa]?[Mm][Ll]))?$/;

const EXPECTED = '"repo", "owner/repo" or "owner/repo:path/to/file.yml"';

/** JSON Schema of the key, so editors do not flag a file the App accepts. */
export const EXTENDS_JSON_SCHEMA = {
  type: "string",
  pattern: EXTENDS_PATTERN.source,
  description: `Inherit settings from another repository's config (Probot): ${EXPECTED}`,
} as const;

/** The value without `_extends`, and a problem when `_extends` is malformed. */
export function splitExtends(value: unknown): { rest: unknown; problems: Problem[] } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { rest: value, problems: [] };
  }
  if (!Object.hasOwn(value, EXTENDS_KEY)) return { rest: value, problems: [] };
  const { [EXTENDS_KEY]: target, ...rest } = value as Record<string, unknown>;
  if (typeof target === "string" && EXTENDS_PATTERN.test(target)) return { rest, problems: [] };
  const found =
    typeof target === "string"
      ? quote(target)
      : typeof target === "number" || typeof target === "boolean"
        ? String(target)
        : target === null
          ? "empty"
          : "not a string";
  const message = `"${formatPath([EXTENDS_KEY])}" is ${found}; expected ${EXPECTED}`;
  return { rest, problems: [{ path: [EXTENDS_KEY], at: "value", message }] };
}

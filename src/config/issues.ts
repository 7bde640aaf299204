import type { z } from "zod";
import { describeFound, describeValue, isRecord, isScalar, valueAt } from "./describe-value.js";
import { formatPath, quote, type Path, type Problem, type SourceMap } from "./errors.js";
import {
  describeExpected,
  descriptionOf,
  expectsString,
  isList,
  keyIndex,
  keysAt,
  schemaAt,
} from "./schema-walk.js";
import { suggest } from "./suggest.js";

/**
 * Turns zod issues into messages a user can act on: the key, what was found, what is allowed,
 * and the likely fix. Pure; positions are attached by the caller.
 */

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

export interface IssueContext {
  readonly schema: Schema;
  /** The value that was validated. */
  readonly value: unknown;
  readonly source: SourceMap;
  /** Key name → where it lives, from {@link keyIndex}. */
  readonly keys: ReadonlyMap<string, readonly string[]>;
}

export function createIssueContext(
  schema: Schema,
  value: unknown,
  source: SourceMap,
): IssueContext {
  return { schema, value, source, keys: keyIndex(schema) };
}

function toPath(path: readonly PropertyKey[]): Path {
  return path.map((segment) => (typeof segment === "number" ? segment : String(segment)));
}

const isVersionPath = (path: Path): boolean => path[0] === "python";

/** YAML reads `3.10` as the number 3.1: say so, and show the quoted form of what they wrote. */
function quoteNumber(ctx: IssueContext, path: Path, found: number, list: boolean): string {
  const raw = ctx.source.rawNumber(path);
  const written = raw ?? String(found);
  const version = isVersionPath(path);
  if (version && !/^\d+\.\d+$/.test(written)) {
    return `"${formatPath(path)}" is ${found} (a number); write versions as "major.minor" strings, e.g. ${list ? '["3.12"]' : '"3.12"'}`;
  }
  const shown = list ? `[${JSON.stringify(written)}]` : JSON.stringify(written);
  const form = list ? "a list of strings" : version ? "strings" : "a string";
  let message = `"${formatPath(path)}" is ${found} (a number); write ${version ? "versions" : "it"} as ${form}: ${shown}`;
  // Without the text we cannot tell 3.1 from 3.10; name both.
  if (raw === undefined && version && /^\d+\.\d$/.test(written)) {
    message += ` (or "${written}0" if you meant ${written}0: YAML reads it as ${written})`;
  }
  return message;
}

function typeProblem(ctx: IssueContext, path: Path, expected?: string): Problem {
  const schema = schemaAt(ctx.schema, path);
  const found = valueAt(ctx.value, path);
  if (path.length === 0) {
    const message = `the file must be a mapping of settings such as "python:" and "lint:"; found ${describeFound(found)}`;
    return { path, at: "value", message };
  }
  if (typeof found === "number" && expectsString(schema)) {
    return { path, at: "value", message: quoteNumber(ctx, path, found, isList(schema)) };
  }
  let message = `"${formatPath(path)}" is ${describeFound(found)}; expected ${expected ?? describeExpected(schema)}`;
  if (isList(schema) && isScalar(found)) message += `, e.g. [${JSON.stringify(found)}]`;
  return { path, at: "value", message };
}

function missingProblem(ctx: IssueContext, path: Path): Problem {
  const parent = path.slice(0, -1);
  const key = String(path[path.length - 1]);
  const description = descriptionOf(schemaAt(ctx.schema, path));
  const what =
    description === undefined
      ? ""
      : ` (${description.charAt(0).toLowerCase()}${description.slice(1)})`;
  const message =
    parent.length === 0
      ? `missing required key ${quote(key)}${what}`
      : `"${formatPath(parent)}" is missing ${quote(key)}${what}`;
  return { path, at: "key", message };
}

/** Keys the schema has elsewhere ("mypy" under "lint" belongs in "typecheck.mypy"). */
function elsewhere(ctx: IssueContext, key: string, here: string): string[] {
  const near = ctx.keys.has(key) ? key : suggest(key, [...ctx.keys.keys()]);
  const paths = near === undefined ? [] : (ctx.keys.get(near) ?? []);
  const others = paths.filter((path) => path !== here);
  return others.length > 0 && others.length <= 2 ? others : [];
}

function unknownKeyProblem(ctx: IssueContext, parent: Path, key: string): Problem {
  const path = [...parent, key];
  const where = parent.length === 0 ? "" : ` in "${formatPath(parent)}"`;
  const head = `unknown key ${quote(key)}${where}`;
  const allowed = keysAt(ctx.schema, parent);
  if (key === "<<") {
    return { path, at: "key", message: `${head}: YAML 1.2 has no merge keys; write the keys out` };
  }
  const near = suggest(key, allowed);
  if (near !== undefined) return { path, at: "key", message: `${head} (did you mean "${near}"?)` };
  const moved = elsewhere(ctx, key, formatPath(path));
  if (moved.length > 0) {
    const options = moved.map((p) => `"${p}"`).join(" or ");
    return { path, at: "key", message: `${head} (did you mean ${options}?)` };
  }
  let message = `${head}; allowed: ${allowed.join(", ")}`;
  const found = valueAt(ctx.value, path);
  if (allowed.includes("args") && isScalar(found)) {
    const flag = found === true ? `--${key}` : `--${key}=${String(found)}`;
    message += `. Pass other options to the tool in "args", e.g. args: [${JSON.stringify(flag)}]`;
  }
  return { path, at: "key", message };
}

function enumProblem(ctx: IssueContext, path: Path, values: readonly unknown[]): Problem {
  const found = valueAt(ctx.value, path);
  const allowed = values.map(String);
  let message = `"${formatPath(path)}" is ${describeValue(found)}; allowed: ${allowed.join(", ")}`;
  const near = typeof found === "string" ? suggest(found, allowed) : undefined;
  if (near !== undefined) message += ` (did you mean "${near}"?)`;
  return { path, at: "value", message };
}

function formatProblem(ctx: IssueContext, path: Path, rule: string): Problem {
  const found = valueAt(ctx.value, path);
  const expected = /^an? /.test(rule) ? `expected ${rule}` : `use only ${rule}`;
  let message = `"${formatPath(path)}" is ${describeValue(found)}; ${expected}`;
  const patch = typeof found === "string" ? /^(\d+\.\d+)\.\d+$/.exec(found) : null;
  if (isVersionPath(path) && patch?.[1] !== undefined) message += ` (did you mean "${patch[1]}"?)`;
  return { path, at: "value", message };
}

function listSizeMessage(
  subject: string,
  found: readonly unknown[],
  small: boolean,
  bound: number,
) {
  if (!small) return `${subject} has ${found.length} items; list at most ${bound}`;
  const has = found.length === 0 ? "is an empty list" : `has ${found.length} items`;
  return `${subject} ${has}; list at least ${bound === 1 ? "one item" : `${bound} items`}`;
}

function sizeProblem(
  ctx: IssueContext,
  path: Path,
  issue: Issue & { code: "too_small" | "too_big" },
) {
  const found = valueAt(ctx.value, path);
  const subject = `"${formatPath(path)}"`;
  const small = issue.code === "too_small";
  const bound = Number(small ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  let message: string;
  if (Array.isArray(found)) {
    message = listSizeMessage(subject, found, small, bound);
  } else if (typeof found === "string") {
    message =
      small && bound === 1
        ? `${subject} is an empty string; expected some text`
        : `${subject}: ${issue.message}`;
  } else {
    const limit = small
      ? inclusive
        ? "at least"
        : "greater than"
      : inclusive
        ? "at most"
        : "less than";
    message = `${subject} is ${describeValue(found)}; expected a number ${limit} ${bound}`;
  }
  return { path, at: "value" as const, message };
}

/** A union failed: follow the one branch whose type fits the value, else report the union. */
function unionProblems(ctx: IssueContext, path: Path, branches: readonly Issue[][]): Problem[] {
  const fitting = branches.filter(
    (issues) =>
      !issues.some(
        (i) => i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_value"),
      ),
  );
  const [only] = fitting;
  if (fitting.length === 1 && only !== undefined) return problemsFromIssues(ctx, only, path);
  return [typeProblem(ctx, path)];
}

function problemOf(ctx: IssueContext, issue: Issue, path: Path): Problem[] {
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => unknownKeyProblem(ctx, path, key));
    case "invalid_union":
      return unionProblems(ctx, path, issue.errors);
    case "invalid_type": {
      const parent = valueAt(ctx.value, path.slice(0, -1));
      const key = path[path.length - 1];
      const missing = isRecord(parent) && typeof key === "string" && !Object.hasOwn(parent, key);
      if (missing) return [missingProblem(ctx, path)];
      return [typeProblem(ctx, path, issue.expected === "int" ? "a whole number" : undefined)];
    }
    case "invalid_value":
      return [enumProblem(ctx, path, issue.values)];
    case "invalid_format":
      return [formatProblem(ctx, path, issue.message)];
    case "too_small":
    case "too_big":
      return [sizeProblem(ctx, path, issue)];
    case "invalid_key": {
      const rule = issue.issues[0]?.message ?? "a valid name";
      const key = String(path[path.length - 1]);
      const message = `invalid name ${quote(key)} in "${formatPath(path.slice(0, -1))}"; use only ${rule}`;
      return [{ path, at: "key", message }];
    }
    default:
      return [{ path, at: "value", message: `"${formatPath(path)}": ${issue.message}` }];
  }
}

/**
 * Issues worth turning into messages: only the first few dozen are shown, and a hostile file can
 * raise tens of thousands (each unknown key costs a did-you-mean search). `skipped` counts the rest.
 */
export function limitIssues(
  issues: readonly Issue[],
  budget = 500,
): { issues: Issue[]; skipped: number } {
  const kept: Issue[] = [];
  let remaining = budget;
  let skipped = 0;
  for (const issue of issues) {
    const size = issue.code === "unrecognized_keys" ? issue.keys.length : 1;
    if (remaining <= 0) {
      skipped += size;
    } else if (issue.code === "unrecognized_keys" && size > remaining) {
      kept.push({ ...issue, keys: issue.keys.slice(0, remaining) });
      skipped += size - remaining;
      remaining = 0;
    } else {
      kept.push(issue);
      remaining -= size;
    }
  }
  return { issues: kept, skipped };
}

/** Problems for zod issues; `base` prefixes paths of issues nested in a union branch. */
export function problemsFromIssues(
  ctx: IssueContext,
  issues: readonly Issue[],
  base: Path = [],
): Problem[] {
  return issues.flatMap((issue) => problemOf(ctx, issue, [...base, ...toPath(issue.path)]));
}

import { decodeInput, limitsOf, reject } from "./input.js";
import type { FailingTest, ParseOptions, ParseResult, TestReport } from "./model.js";
import { repositoryPath } from "./paths.js";
import { attr, children, parseXml, textOf, type XmlNode } from "./xml.js";

const ARRAYS = new Set(["testsuite", "testcase", "failure", "error", "skipped"]);
const DETAILS_LIMIT = 8 * 1024;
const MESSAGE_LIMIT = 1024;

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  timeSeconds: number;
}

interface Walk {
  readonly counts: Counts;
  readonly failing: FailingTest[];
  readonly root: string | undefined;
  readonly cap: number;
  /** pytest writes 0-based `line` attributes; unittest-xml-reporting 1-based ones. */
  readonly zeroBasedLines: boolean;
}

/**
 * JUnit XML from pytest (`--junitxml`, xunit1 and xunit2 families) and from
 * unittest-xml-reporting: a `<testsuites>` or `<testsuite>` root, suites possibly nested.
 */
export function parseJunit(
  input: string | Uint8Array,
  options: ParseOptions = {},
): ParseResult<TestReport> {
  const limits = limitsOf(options);
  const text = decodeInput(input, limits.xmlBytes);
  if (!text.ok) return reject("junit", text.why);
  const xml = parseXml(text.value, {
    roots: ["testsuites", "testsuite"],
    arrays: ARRAYS,
    depth: limits.depth,
  });
  if (!xml.ok) return reject("junit", xml.why);
  const { root, node } = xml.value;
  const suites = root === "testsuite" ? [node] : children(node, "testsuite");
  const walk: Walk = {
    counts: { tests: 0, failures: 0, errors: 0, skipped: 0, timeSeconds: 0 },
    failing: [],
    root: options.root,
    cap: limits.items,
    zeroBasedLines: suites.some((suite) => attr(suite, "name") === "pytest"),
  };
  for (const suite of suites) readSuite(suite, walk);
  const warnings: string[] = [];
  const listed = walk.counts.failures + walk.counts.errors;
  if (listed > walk.failing.length) {
    warnings.push(
      `${listed - walk.failing.length} failing test(s) beyond the first ${walk.failing.length} are counted, not listed`,
    );
  }
  const timeSeconds = Math.round(walk.counts.timeSeconds * 1000) / 1000;
  return { ok: true, value: { ...walk.counts, timeSeconds, failing: walk.failing }, warnings };
}

function readSuite(suite: XmlNode, walk: Walk): void {
  const cases = children(suite, "testcase");
  const nested = children(suite, "testsuite");
  for (const child of nested) readSuite(child, walk);
  if (cases.length === 0 && nested.length === 0) {
    // A suite summarised by its attributes only.
    walk.counts.tests += count(attr(suite, "tests"));
    walk.counts.failures += count(attr(suite, "failures"));
    walk.counts.errors += count(attr(suite, "errors"));
    walk.counts.skipped += count(attr(suite, "skipped") ?? attr(suite, "skip"));
  }
  if (nested.length === 0) walk.counts.timeSeconds += seconds(attr(suite, "time"));
  else if (cases.length > 0)
    walk.counts.timeSeconds += cases.reduce((s, c) => s + seconds(attr(c, "time")), 0);
  for (const testcase of cases) readCase(testcase, walk);
}

function readCase(testcase: XmlNode, walk: Walk): void {
  walk.counts.tests++;
  const failure = children(testcase, "failure")[0];
  const error = children(testcase, "error")[0];
  if (failure !== undefined) walk.counts.failures++;
  else if (error !== undefined) walk.counts.errors++;
  else if (children(testcase, "skipped").length > 0) walk.counts.skipped++;
  const problem = failure ?? error;
  if (problem === undefined || walk.failing.length >= walk.cap) return;
  walk.failing.push(
    failingTest(testcase, problem, failure === undefined ? "error" : "failure", walk),
  );
}

function failingTest(
  testcase: XmlNode,
  problem: XmlNode,
  kind: "failure" | "error",
  walk: Walk,
): FailingTest {
  const text = textOf(problem).trim();
  const message = (attr(problem, "message") ?? "").trim() || firstLine(text) || kind;
  const where = failingLocation(text, walk.root) ?? declaredLocation(testcase, walk);
  return {
    name: attr(testcase, "name") ?? "",
    classname: attr(testcase, "classname") ?? "",
    kind,
    ...where,
    message: cap(message, MESSAGE_LIMIT),
    ...(text === "" ? {} : { details: cap(text, DETAILS_LIMIT) }),
  };
}

/**
 * The innermost frame inside the repository: pytest ends its long report with
 * `path:line: Error`, Python tracebacks say `File "path", line N`.
 */
function failingLocation(
  text: string,
  root: string | undefined,
): { file: string; line: number } | undefined {
  const frames = /^(?:(\S[^\n:]*\.py):(\d+): |\s*File "([^"\n]+)", line (\d+))/gm;
  let found: { file: string; line: number } | undefined;
  for (const match of text.matchAll(frames)) {
    const file = repositoryPath(match[1] ?? match[3] ?? "", root);
    const line = Number(match[2] ?? match[4]);
    if (file !== undefined && Number.isSafeInteger(line) && line > 0) found = { file, line };
  }
  return found;
}

function declaredLocation(testcase: XmlNode, walk: Walk): { file?: string; line?: number } {
  const file = repositoryPath(attr(testcase, "file") ?? "", walk.root);
  const raw = Number(attr(testcase, "line"));
  const line = Number.isSafeInteger(raw) ? raw + (walk.zeroBasedLines ? 1 : 0) : 0;
  return { ...(file === undefined ? {} : { file }), ...(line > 0 ? { line } : {}) };
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim() ?? ""
  );
}

function cap(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function count(value: string | undefined): number {
  const number = Number(value);
  return Number.isSafeInteger(number) && number > 0 ? number : 0;
}

function seconds(value: string | undefined): number {
  const number = Number(value);
  return Number.isFinite(number) && number > 0 ? number : 0;
}

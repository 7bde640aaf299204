import { emptyLines, type FileLines, toCoverageReport } from "./coverage-model.js";
import { decodeInput, limitsOf, reject } from "./input.js";
import type { CoverageReport, ParseOptions, ParseResult } from "./model.js";
import { resolveAgainstSources } from "./paths.js";
import { attr, children, parseXml, textOf, type XmlNode } from "./xml.js";

const ARRAYS = new Set(["source", "package", "class"]);

/**
 * Cobertura XML as coverage.py writes it. `<lines>` is handed over raw by the XML parser and
 * read here with a strict grammar: building an object per `<line>` is what makes generic
 * parsing slow on big reports, and coverage.py's lines are flat, attribute-only elements.
 */
export function parseCobertura(
  input: string | Uint8Array,
  options: ParseOptions = {},
): ParseResult<CoverageReport> {
  const limits = limitsOf(options);
  const text = decodeInput(input, limits.xmlBytes);
  if (!text.ok) return reject("cobertura", text.why);
  const xml = parseXml(text.value, {
    roots: ["coverage"],
    arrays: ARRAYS,
    stopNodes: ["*.lines"],
    depth: limits.depth,
  });
  if (!xml.ok) return reject("cobertura", xml.why);
  const coverage = xml.value.node;
  const sources = children(coverage, "sources")
    .flatMap((node) => children(node, "source"))
    .map((node) => textOf(node).trim())
    .filter((source) => source !== "");
  const warnings: string[] = [];
  if (options.root === undefined && sources.some((source) => source.startsWith("/"))) {
    warnings.push("no workspace root was given: file names are read relative to the repository");
  }
  const files = new Map<string, FileLines>();
  const dropped = new Set<string>();
  const classes = children(coverage, "packages")
    .flatMap((node) => children(node, "package"))
    .flatMap((node) => children(node, "classes"))
    .flatMap((node) => children(node, "class"));
  // One answer for the whole report, so every file carries branch data or none does.
  const branch = text.value.includes('branch="true"');
  for (const node of classes) {
    const filename = attr(node, "filename") ?? "";
    const path = resolveAgainstSources(filename, sources, options.root);
    if (path === undefined) {
      dropped.add(filename);
      continue;
    }
    const read = readLines(node, files.get(path) ?? emptyLines(branch));
    if (!read.ok) return reject("cobertura", `${read.why} (in ${path})`);
    files.set(path, read.value);
  }
  if (dropped.size > 0) {
    warnings.push(
      `${dropped.size} file(s) outside the repository were left out: ${[...dropped].slice(0, 3).join(", ")}`,
    );
  }
  return { ok: true, value: toCoverageReport(files), warnings };
}

/** `<line number="10" hits="1" branch="true" condition-coverage="50% (1/2)"/>` */
const LINE =
  /\s*(?:<!--[\s\S]*?-->\s*)*<line((?:\s+[A-Za-z_:][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(?:\/>|>\s*<\/line\s*>)/y;
const ATTRIBUTE = /\s*([A-Za-z_:][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const PLAIN = /^\s+number="([1-9]\d{0,9})"\s+hits="(\d{1,15})"$/;
const CONDITION = /\((\d+)\/(\d+)\)/;
const TRAILER = /^\s*(?:<!--[\s\S]*?-->\s*)*$/;

type Read = { ok: true; value: FileLines } | { ok: false; why: string };

function readLines(node: XmlNode, lines: FileLines): Read {
  const raw = lineText(node["lines"]);
  let at = 0;
  for (;;) {
    LINE.lastIndex = at;
    const match = LINE.exec(raw);
    if (match === null) break;
    at = LINE.lastIndex;
    const line = lineAttributes(match[1] ?? "");
    if (line === undefined)
      return { ok: false, why: "it has a <line> without a valid number and hits" };
    (line.hits > 0 ? lines.covered : lines.missing).add(line.number);
    const condition = line.branch ? CONDITION.exec(line.condition) : null;
    if (condition !== null) addBranches(lines, line.number, condition);
  }
  if (!TRAILER.test(raw.slice(at))) return { ok: false, why: "it has a malformed <line> element" };
  return { ok: true, value: lines };
}

interface LineAttributes {
  readonly number: number;
  readonly hits: number;
  readonly branch: boolean;
  readonly condition: string;
}

/** The attributes Pylot reads, from a string the LINE pattern already checked. */
function lineAttributes(text: string): LineAttributes | undefined {
  // coverage.py's own order first: most lines are just these two.
  const plain = PLAIN.exec(text);
  if (plain !== null)
    return { number: Number(plain[1]), hits: Number(plain[2]), branch: false, condition: "" };
  let number = NaN;
  let hits = NaN;
  let branch = false;
  let condition = "";
  ATTRIBUTE.lastIndex = 0;
  for (let match = ATTRIBUTE.exec(text); match !== null; match = ATTRIBUTE.exec(text)) {
    const value = match[2] ?? match[3] ?? "";
    if (match[1] === "number") number = Number(value);
    else if (match[1] === "hits") hits = Number(value);
    else if (match[1] === "branch") branch = value === "true";
    else if (match[1] === "condition-coverage") condition = value;
  }
  if (!Number.isSafeInteger(number) || number < 1 || !Number.isFinite(hits)) return undefined;
  return { number, hits, branch, condition };
}

function addBranches(lines: FileLines, number: number, condition: RegExpExecArray): void {
  lines.branches ??= new Map();
  const before = lines.branches.get(number);
  lines.branches.set(number, {
    covered: Math.max(Number(condition[1]), before?.covered ?? 0),
    total: Math.max(Number(condition[2]), before?.total ?? 0),
  });
}

/** The raw content of `<lines>`: a string, or nothing for `<lines/>`. */
function lineText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(lineText).join("");
  return typeof value === "object" && value !== null ? textOf(value as XmlNode) : "";
}

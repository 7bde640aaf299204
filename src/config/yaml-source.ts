import {
  LineCounter,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type Alias,
  type Document,
  type ErrorCode,
  type Pair,
  type YAMLError,
  type YAMLMap,
} from "yaml";
import {
  ROOT_KEY,
  formatPath,
  orderErrors,
  quote,
  type ConfigError,
  type Path,
  type Position,
  type SourceMap,
} from "./errors.js";

/**
 * Alias uses allowed while building the value. Probot's own `yaml.parse` uses the same default,
 * so a file the App accepts is one the CLI accepts; a "billion laughs" file trips it at once.
 */
export const MAX_ALIAS_COUNT = 100;

export type YamlRead =
  | { readonly ok: true; readonly value: unknown; readonly source: SourceMap }
  | { readonly ok: false; readonly errors: ConfigError[] };

type Doc = Document.Parsed;

const PARSE_OPTIONS = {
  prettyErrors: false,
  // yaml's own duplicate check is quadratic (seconds on a 256 KiB file); ours is linear.
  uniqueKeys: false,
  // Complex keys would otherwise print process warnings; they fail validation as unknown keys.
  logLevel: "error",
} as const;

const SYNTAX_HINTS: Partial<Record<ErrorCode, string>> = {
  BLOCK_AS_IMPLICIT_KEY: 'quote values that contain ": "',
  TAB_AS_INDENT: "indent with spaces",
  BAD_INDENT: "check the indentation of this line and the ones above",
  MISSING_CHAR: "close the quote or bracket",
};

function syntaxMessage(error: YAMLError): string {
  switch (error.code) {
    case "MULTIPLE_DOCS":
      return 'the file holds more than one YAML document (a second "---"); Pylot reads one';
    case "RESOURCE_EXHAUSTION":
      return "the YAML is nested too deeply to read";
    default: {
      const text = error.message.split("\n")[0] ?? error.message;
      const hint = SYNTAX_HINTS[error.code];
      const base = `YAML syntax error: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
      return hint === undefined ? base : `${base}; ${hint}`;
    }
  }
}

function keyName(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

function start(node: unknown): number | undefined {
  if (isPair(node) || node === null || typeof node !== "object") return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0];
}

/** Remembers a computation per node: key indexes and alias targets are asked for repeatedly. */
function memo<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, compute(key));
    return cache.get(key) as V;
  };
}

function indexPairs(map: YAMLMap): Map<string, Pair> {
  const pairs = new Map<string, Pair>();
  for (const pair of map.items) {
    const name = keyName(pair);
    if (name !== undefined && !pairs.has(name)) pairs.set(name, pair);
  }
  return pairs;
}

/** Maps paths to text positions. */
function createSourceMap(doc: Doc, text: string, lines: LineCounter): SourceMap {
  const pairsOf = memo(indexPairs);
  // Resolving an alias searches the whole document.
  const resolveAlias = memo((alias: Alias): unknown => alias.resolve(doc));
  const toPosition = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };

  /** Follows `path` as far as the text goes: the last node reached and its key's offset. */
  const walk = (path: Path): { node: unknown; keyAt: number; complete: boolean } => {
    let node: unknown = doc.contents;
    let keyAt = start(node) ?? 0;
    for (const segment of path) {
      if (isAlias(node)) node = resolveAlias(node);
      let next: { node: unknown; keyAt: number } | undefined;
      if (isMap(node)) {
        const pair = pairsOf(node).get(String(segment));
        if (pair !== undefined) next = { node: pair.value, keyAt: start(pair.key) ?? keyAt };
      } else if (isSeq(node) && typeof segment === "number") {
        const item: unknown = node.items[segment];
        const at = start(item);
        if (at !== undefined) next = { node: item, keyAt: at };
      }
      if (next === undefined) return { node, keyAt, complete: false };
      ({ node, keyAt } = next);
    }
    return { node, keyAt, complete: true };
  };

  return {
    position(path, at) {
      const { node, keyAt, complete } = walk(path);
      if (!complete || at === "key") return toPosition(keyAt);
      // An empty value (`flake8:` and nothing) has no text of its own: point at its key.
      const range = isScalar(node) ? node.range : undefined;
      const empty = range !== undefined && range !== null && range[0] === range[1];
      return toPosition(empty ? keyAt : (start(node) ?? keyAt));
    },
    rawNumber(path) {
      const { node, complete } = walk(path);
      if (!complete || !isScalar(node) || typeof node.value !== "number") return undefined;
      if (node.type !== "PLAIN" || !node.range) return undefined;
      return text.slice(node.range[0], node.range[1]);
    },
  };
}

interface Finding {
  readonly offset: number;
  readonly key: string;
  readonly message: string;
}

/** A node met during the walk; paths are rebuilt from parent links only for findings. */
interface Visit {
  readonly node: unknown;
  readonly parent: Visit | undefined;
  readonly segment: string | number | undefined;
}

function pathOf(visit: Visit): Path {
  const path: (string | number)[] = [];
  for (let at: Visit | undefined = visit; at !== undefined; at = at.parent) {
    if (at.segment !== undefined) path.push(at.segment);
  }
  return path.reverse();
}

function anchorOf(node: unknown): string | undefined {
  return isScalar(node) || isMap(node) || isSeq(node) ? node.anchor : undefined;
}

function childrenOf(visit: Visit): Visit[] {
  const { node } = visit;
  if (isSeq(node)) {
    return node.items.map((child, index) => ({ node: child, parent: visit, segment: index }));
  }
  if (!isMap(node)) return [];
  return node.items.flatMap((pair) => [
    // Keys are visited too: they may carry anchors, and document order must hold.
    { node: pair.key, parent: visit.parent, segment: undefined },
    { node: pair.value, parent: visit, segment: keyName(pair) ?? "?" },
  ]);
}

function duplicatesIn(visit: Visit, lines: LineCounter): Finding[] {
  if (!isMap(visit.node)) return [];
  const seen = new Map<string, number>();
  const findings: Finding[] = [];
  for (const pair of visit.node.items) {
    const name = keyName(pair);
    if (name === undefined) continue;
    const keyAt = start(pair.key) ?? 0;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, keyAt);
    else findings.push(duplicate(name, [...pathOf(visit), name], first, keyAt, lines));
  }
  return findings;
}

/**
 * One pass over the tree in document order (iterative: hostile nesting must not overflow the
 * stack): duplicate keys, aliases to anchors not yet defined, and the first alias seen.
 */
function inspectTree(doc: Doc, lines: LineCounter): { findings: Finding[]; firstAlias?: number } {
  const findings: Finding[] = [];
  const anchors = new Set<string>();
  let firstAlias: number | undefined;
  const stack: Visit[] = [{ node: doc.contents, parent: undefined, segment: undefined }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const { node } = visit;
    if (isAlias(node)) {
      firstAlias ??= start(node);
      if (!anchors.has(node.source)) {
        const name = node.source;
        const message = `unknown alias ${quote(`*${name}`)}: define the anchor ${quote(`&${name}`)} before using it`;
        findings.push({ offset: start(node) ?? 0, key: formatPath(pathOf(visit)), message });
      }
      continue;
    }
    const anchor = anchorOf(node);
    if (anchor !== undefined) anchors.add(anchor);
    findings.push(...duplicatesIn(visit, lines));
    const children = childrenOf(visit);
    // Pushed in reverse so they pop in document order, which anchors rely on.
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child !== undefined) stack.push(child);
    }
  }
  return firstAlias === undefined ? { findings } : { findings, firstAlias };
}

function duplicate(name: string, path: Path, first: number, offset: number, lines: LineCounter) {
  const firstLine = lines.linePos(first).line;
  const message = `duplicate key ${quote(name)} (first set on line ${firstLine}); keep one`;
  return { offset, key: formatPath(path), message };
}

function toErrors(findings: readonly Finding[], file: string, lines: LineCounter): ConfigError[] {
  return orderErrors(
    findings.map(({ offset, key, message }) => {
      const { line, col } = lines.linePos(offset);
      return { file, line, column: col, key, message };
    }),
  );
}

/** Reads YAML text into a plain value plus a map back to the text, or positioned errors. */
export function readYaml(text: string, file: string): YamlRead {
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...PARSE_OPTIONS, lineCounter: lines });
  const syntax = doc.errors.map((error) => ({
    offset: error.pos[0],
    key: ROOT_KEY,
    message: syntaxMessage(error),
  }));
  const { findings, firstAlias } = inspectTree(doc, lines);
  if (syntax.length > 0 || findings.length > 0) {
    return { ok: false, errors: toErrors([...syntax, ...findings], file, lines) };
  }
  try {
    const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return { ok: true, value, source: createSourceMap(doc, text, lines) };
  } catch (error: unknown) {
    const bomb = error instanceof ReferenceError && /alias count/i.test(error.message);
    const message = bomb
      ? `the YAML aliases expand too much (over ${MAX_ALIAS_COUNT} uses); Pylot refuses files that could exhaust memory`
      : `the YAML could not be read: ${error instanceof Error ? error.message : String(error)}`;
    const offset = bomb ? (firstAlias ?? 0) : 0;
    return { ok: false, errors: toErrors([{ offset, key: ROOT_KEY, message }], file, lines) };
  }
}

/** Positions for a value parsed elsewhere (Probot): read the text only to map paths to lines. */
export function sourceMapOf(text: string): SourceMap {
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...PARSE_OPTIONS, lineCounter: lines });
  return createSourceMap(doc, text, lines);
}

import {
  DEFAULT_LIMITS,
  type ParseOptions,
  type ParseResult,
  type ReportKind,
  type ReportLimits,
} from "./model.js";

/** What a rejection calls the report: "coverage report rejected: …". */
const LABELS: Readonly<Record<ReportKind, string>> = {
  cobertura: "coverage report",
  "coverage-json": "coverage report",
  junit: "test report",
  bandit: "bandit report",
  flake8: "flake8 report",
  pylint: "pylint report",
  mypy: "mypy report",
  black: "black report",
};

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

export function reject<T>(kind: ReportKind, why: string): ParseResult<T> {
  return { ok: false, reason: `${LABELS[kind]} rejected: ${why}` };
}

export function limitsOf(options: ParseOptions): ReportLimits {
  return { ...DEFAULT_LIMITS, ...options.limits };
}

export function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${bytes} bytes`;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The report as text, within `limit` bytes. Bytes are decoded strictly: a report that is not
 * UTF-8 (or was cut inside a character) is refused rather than read with replacement marks.
 */
export function decodeInput(input: string | Uint8Array, limit: number): Checked<string> {
  const size = typeof input === "string" ? input.length : input.byteLength;
  if (size > limit) return { ok: false, why: `it is larger than ${mebibytes(limit)}` };
  let text: string;
  if (typeof input === "string") {
    text = input.startsWith("\uFEFF") ? input.slice(1) : input;
  } else {
    try {
      text = decoder.decode(input);
    } catch {
      return { ok: false, why: "it is not valid UTF-8" };
    }
  }
  return { ok: true, value: text };
}

/**
 * JSON.parse after a linear scan that refuses nesting deeper than `depth`, so a hostile file
 * costs one pass and never a deep recursion.
 */
export function parseJsonBounded(text: string, depth: number): Checked<unknown> {
  if (text.trim() === "") return { ok: false, why: "it is empty" };
  let level = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++level > depth) return { ok: false, why: `it nests deeper than ${depth} levels` };
    } else if (c === 0x5d || c === 0x7d) {
      level--;
    }
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    if (inString || level > 0 || /end of JSON input|Unterminated/i.test(message)) {
      return { ok: false, why: "it is truncated (the JSON ends early)" };
    }
    return { ok: false, why: `it is not valid JSON (${message})` };
  }
}

export function issuesOf(error: {
  readonly issues: readonly { path: PropertyKey[]; message: string }[];
}): string {
  const first = error.issues[0];
  if (first === undefined) return "it does not have the expected shape";
  const at = first.path.length > 0 ? ` at ${first.path.map(String).join(".")}` : "";
  return `it does not have the expected shape (${first.message}${at})`;
}

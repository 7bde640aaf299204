export const SUPPRESSION_KINDS = [
  "nosec",
  "noqa",
  "type: ignore",
  "pragma: no cover",
  "pylint: disable",
] as const;
export type SuppressionKind = (typeof SUPPRESSION_KINDS)[number];

export interface Suppression {
  readonly path: string;
  readonly line: number;
  readonly kind: SuppressionKind;
  /** The comment as written, trimmed. */
  readonly comment: string;
}

const PATTERNS: readonly (readonly [SuppressionKind, RegExp])[] = [
  ["nosec", /\bnosec\b/i],
  ["noqa", /\bnoqa\b/i],
  ["type: ignore", /\btype:\s*ignore\b/],
  ["pragma: no cover", /\bpragma:\s*no\s*cover\b/i],
  ["pylint: disable", /\bpylint:\s*disable\b/],
];

/**
 * Suppression comments on lines a pull request adds to Python files. Only the comment part of
 * a line counts: a `#` inside a string literal on that line starts no comment.
 */
export function newSuppressions(
  lines: readonly { readonly path: string; readonly line: number; readonly text: string }[],
): Suppression[] {
  const found: Suppression[] = [];
  for (const { path, line, text } of lines) {
    if (!/\.pyi?$/.test(path)) continue;
    const comment = commentOf(text);
    if (comment === undefined) continue;
    for (const [kind, pattern] of PATTERNS) {
      if (pattern.test(comment)) found.push({ path, line, kind, comment: comment.trim() });
    }
  }
  return found;
}

function commentOf(text: string): string | undefined {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === "#") {
      return text.slice(i);
    }
  }
  return undefined;
}

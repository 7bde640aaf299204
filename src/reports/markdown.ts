import { truncateChars } from "./truncate.js";

/**
 * Markdown building blocks. Everything from a report or a repository (paths, test names,
 * messages) goes through `text` or `cell`: it cannot end a table cell, open a code span,
 * link, image, emphasis, math or HTML tag, or mention anyone.
 */

/** Characters that can start markup mid-line in GitHub's markdown (`$` opens math). */
const PUNCTUATION = /[\\`*_{}[\]<>#!|~&$]/g;

/** User-controlled text made inert, on one line, at most `max` characters before escaping. */
export function text(value: string, max = 300): string {
  const flat = value
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const short = truncateChars(flat, Math.max(1, max));
  // A zero-width space keeps `@team` from pinging and `#12` from linking the issue back here.
  return short
    .replace(PUNCTUATION, (c) => `\\${c}`)
    .replace(/@/g, "@\u200b")
    .replace(/#(?=\d)/g, "#\u200b");
}

/** A table cell: `text`, and never empty (an empty cell reads as a missing one). */
export function cell(value: string, max = 120): string {
  const escaped = text(value, max);
  return escaped === "" ? " " : escaped;
}

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** A foldable block; the body must be complete markdown on its own. */
export function details(summary: string, body: string, open = false): string {
  return `<details${open ? " open" : ""}><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** A link whose URL we built (check run pages); the label is escaped, the URL checked. */
export function link(label: string, url: string | undefined): string {
  if (url === undefined || url.length > 2048 || !/^https?:\/\/[^\s()<>]+$/.test(url)) return label;
  return `[${label}](${url})`;
}

/** "… and 12 more" for lists cut to fit. */
export function more(count: number, noun = "more"): string {
  return `… and ${count} ${noun}`;
}

export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/**
 * A percentage as coverage.py displays it: never 100 unless complete, never 0 unless nothing
 * ran, so "99.999" shows as 99.99 and not as a reassuring 100.
 */
export function percent(value: number, precision = 2): string {
  const near0 = 1 / 10 ** precision;
  const near100 = 100 - near0;
  const shown =
    value > 0 && value < near0 ? near0 : value > near100 && value < 100 ? near100 : value;
  return `${shown.toFixed(precision)}%`;
}

export function signedPercent(delta: number, precision = 2): string {
  const rounded = Number(delta.toFixed(precision));
  if (rounded === 0) return `±${(0).toFixed(precision)}%`;
  return `${rounded > 0 ? "+" : "−"}${Math.abs(rounded).toFixed(precision)}%`;
}

export function seconds(value: number): string {
  if (value < 60) return `${value.toFixed(value < 10 ? 2 : 1)} s`;
  return `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;
}

/** Ascending line numbers as ranges: "3-5, 9, 12-13", at most `max` ranges. */
export function lineRanges(lines: readonly number[], max = 20): string {
  const ranges: string[] = [];
  let start: number | undefined;
  let previous: number | undefined;
  const flush = () => {
    if (start === undefined || previous === undefined) return;
    ranges.push(start === previous ? `${start}` : `${start}-${previous}`);
  };
  for (const line of lines) {
    if (previous !== undefined && line === previous + 1) {
      previous = line;
      continue;
    }
    flush();
    start = line;
    previous = line;
  }
  flush();
  if (ranges.length <= max) return ranges.join(", ");
  return `${ranges.slice(0, max).join(", ")} ${more(ranges.length - max)}`;
}

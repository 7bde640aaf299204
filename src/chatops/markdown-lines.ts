/** GitHub refuses longer comments; anything past this is not read. */
export const MAX_COMMENT_LENGTH = 65_536;

interface Fence {
  readonly char: string;
  readonly length: number;
}

interface ParagraphLine {
  readonly text: string;
  /** Could hold a command: at most 3 spaces of indent, not inside an HTML comment. */
  readonly eligible: boolean;
}

const BLANK = /^[ \t]*$/;
const QUOTE = /^ {0,3}>/;
const INDENTED = /^(?: {4}| {0,3}\t)/;

function fenceOpen(line: string): Fence | undefined {
  const match = /^ {0,3}(`{3,}|~{3,})/.exec(line);
  const run = match?.[1];
  if (match === null || run === undefined) return undefined;
  // A backtick fence's info string cannot hold a backtick: "```x``` y" is inline code.
  if (run.startsWith("`") && line.slice(match[0].length).includes("`")) return undefined;
  return { char: run.charAt(0), length: run.length };
}

function closesFence(line: string, fence: Fence): boolean {
  const run = /^ {0,3}(`+|~+)[ \t]*$/.exec(line)?.[1];
  return run !== undefined && run.startsWith(fence.char) && run.length >= fence.length;
}

/** Whether an HTML comment is still open at the end of `line`. */
function commentOpenAfter(line: string, openAtStart: boolean): boolean {
  let open = openAtStart;
  let at = 0;
  for (;;) {
    const next = line.indexOf(open ? "-->" : "<!--", at);
    if (next < 0) return open;
    at = next + (open ? 3 : 4);
    open = !open;
  }
}

/** Cuts a body longer than GitHub allows, dropping the line the cut went through. */
export function capBody(body: string): string {
  if (body.length <= MAX_COMMENT_LENGTH) return body;
  const cut = body.slice(0, MAX_COMMENT_LENGTH);
  return cut.slice(0, Math.max(0, cut.lastIndexOf("\n")));
}

/**
 * The lines of a comment that start a visible line of plain text, in order: not in a block
 * quote (lazy continuation lines included), a fenced or indented code block, an HTML comment,
 * nor a code span that began on an earlier line. Doubtful cases count as not a command: a
 * command that is not seen is harmless, one seen where the author quoted it is not.
 */
export function* plainLines(body: string): Generator<string, void, undefined> {
  let fence: Fence | undefined;
  let inQuote = false;
  let inComment = false;
  let previous: "blank" | "code" | "other" = "blank";
  let paragraph: ParagraphLine[] = [];
  for (const line of capBody(body).split(/\r\n|\r|\n/)) {
    if (fence !== undefined) {
      if (closesFence(line, fence)) {
        fence = undefined;
        previous = "code";
      }
      continue;
    }
    const opened = BLANK.test(line) ? undefined : fenceOpen(line);
    const textLine =
      !BLANK.test(line) &&
      opened === undefined &&
      !QUOTE.test(line) &&
      !inQuote &&
      !(INDENTED.test(line) && previous !== "other");
    if (!textLine) {
      yield* eligibleLines(paragraph);
      paragraph = [];
    }
    if (BLANK.test(line)) {
      inQuote = false;
      previous = "blank";
    } else if (opened !== undefined) {
      fence = opened;
      inQuote = false;
    } else if (QUOTE.test(line) || inQuote) {
      inQuote = true;
      inComment = commentOpenAfter(line, inComment);
      previous = "other";
    } else if (!textLine) {
      previous = "code";
    } else {
      paragraph.push({ text: line, eligible: !inComment && !INDENTED.test(line) });
      inComment = commentOpenAfter(line, inComment);
      previous = "other";
    }
  }
  yield* eligibleLines(paragraph);
}

function* eligibleLines(paragraph: readonly ParagraphLine[]): Generator<string, void, undefined> {
  if (paragraph.length === 0) return;
  const spans = codeSpans(paragraph.map((line) => line.text).join("\n"));
  let offset = 0;
  let span = 0;
  for (const line of paragraph) {
    while (span < spans.length && (spans[span]?.end ?? 0) <= offset) span += 1;
    const inside = (spans[span]?.start ?? Infinity) < offset;
    if (line.eligible && !inside) yield line.text;
    offset += line.text.length + 1;
  }
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * Code spans of a paragraph, as CommonMark finds them: a backtick run not escaped by a
 * backslash opens a span that the next run of the same length closes; an unclosed run is text.
 */
export function codeSpans(text: string): Span[] {
  const runsByLength = new Map<number, number[]>();
  for (const match of text.matchAll(/`+/g)) {
    const starts = runsByLength.get(match[0].length) ?? [];
    starts.push(match.index);
    runsByLength.set(match[0].length, starts);
  }
  const spans: Span[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text.charAt(at);
    if (char === "\\") {
      at += 2;
      continue;
    }
    if (char !== "`") {
      at += 1;
      continue;
    }
    let length = 1;
    while (text.charAt(at + length) === "`") length += 1;
    const close = firstAfter(runsByLength.get(length) ?? [], at + length);
    if (close === undefined) {
      at += length;
      continue;
    }
    spans.push({ start: at, end: close + length });
    at = close + length;
  }
  return spans;
}

/** The first value greater than or equal to `min` in an ascending list. */
function firstAfter(sorted: readonly number[], min: number): number | undefined {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] ?? Infinity) < min) low = middle + 1;
    else high = middle;
  }
  return sorted[low];
}

/** A line a pull request adds or modifies, on the new side, with its text. */
export interface AddedLine {
  readonly line: number;
  readonly text: string;
}

const HUNK = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * The added lines of a unified diff hunk list, as GitHub's pull request files API gives it in
 * `patch` (hunks only; a full `git diff` with headers reads the same). Hunk headers' counts
 * say where each hunk ends, so header lines of a following file are never taken as changes.
 */
export function addedLines(patch: string): AddedLine[] {
  const added: AddedLine[] = [];
  let next = 0;
  let oldLeft = 0;
  let newLeft = 0;
  for (const raw of patch.split("\n")) {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const hunk = HUNK.exec(text);
    if (hunk !== null) {
      oldLeft = Number(hunk[1] ?? 1);
      next = Number(hunk[2]);
      newLeft = Number(hunk[3] ?? 1);
      continue;
    }
    if (oldLeft <= 0 && newLeft <= 0) continue;
    if (text.startsWith("+")) {
      added.push({ line: next, text: text.slice(1) });
      next++;
      newLeft--;
    } else if (text.startsWith("-")) {
      oldLeft--;
    } else if (text.startsWith(" ") || text === "") {
      next++;
      newLeft--;
      oldLeft--;
    }
  }
  return added;
}

/** The new-side line numbers a patch adds or modifies, ascending. */
export function changedLines(patch: string): number[] {
  return addedLines(patch).map((added) => added.line);
}

/** A file of a pull request, as the pull request files API lists it. */
export interface PullRequestFile {
  readonly filename: string;
  /** Absent for binary files and for diffs too large for GitHub to show. */
  readonly patch?: string;
}

export interface PullRequestChanges {
  /** Repository path → changed new-side lines, for `diffCoverage`. */
  readonly changed: Map<string, number[]>;
  /** Every added line with its file, for `newSuppressions`. */
  readonly added: { readonly path: string; readonly line: number; readonly text: string }[];
}

export function pullRequestChanges(files: readonly PullRequestFile[]): PullRequestChanges {
  const changed = new Map<string, number[]>();
  const added: { path: string; line: number; text: string }[] = [];
  for (const file of files) {
    const lines = addedLines(file.patch ?? "");
    if (lines.length === 0) continue;
    changed.set(
      file.filename,
      lines.map((line) => line.line),
    );
    for (const line of lines) added.push({ path: file.filename, ...line });
  }
  return { changed, added };
}

import { createHash } from "node:crypto";
import type { Finding } from "./model.js";

/**
 * A finding's identity across commits: tool, rule, path and the flagged source line with its
 * whitespace collapsed; not the line number, so code moving up or down keeps it. Without a
 * source line (the report quoted none and none was given) the message stands in for it.
 */
export function fingerprint(finding: Finding, codeLine?: string): string {
  const code = (codeLine ?? finding.code ?? finding.message).replace(/\s+/g, " ").trim();
  return createHash("sha256")
    .update([finding.tool, finding.rule, finding.path, code].join("\0"))
    .digest("hex")
    .slice(0, 32);
}

export interface FindingComparison {
  /** In the head, not in the base: introduced by the pull request. */
  readonly new: Finding[];
  /** In the base, not in the head: fixed by the pull request. */
  readonly fixed: Finding[];
  /** In both (head copies). */
  readonly existing: Finding[];
}

/**
 * Head findings against base findings by fingerprint, as multisets: two identical findings in
 * the head and one in the base make one existing and one new.
 */
export function compareFindings(
  head: readonly Finding[],
  base: readonly Finding[],
): FindingComparison {
  const unmatched = new Map<string, Finding[]>();
  for (const finding of base) {
    const key = fingerprint(finding);
    unmatched.set(key, [...(unmatched.get(key) ?? []), finding]);
  }
  const added: Finding[] = [];
  const existing: Finding[] = [];
  for (const finding of head) {
    const same = unmatched.get(fingerprint(finding));
    if (same !== undefined && same.length > 0) {
      same.shift();
      existing.push(finding);
    } else {
      added.push(finding);
    }
  }
  return { new: added, fixed: [...unmatched.values()].flat(), existing };
}

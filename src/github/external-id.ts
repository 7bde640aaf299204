/**
 * What a check run stands for, written into its `external_id` so a webhook about the check run
 * (re-run, requested action) leads back to our records, and so a create that may have happened
 * can be found again. Re-runs get fresh check runs (GitHub's convention), so job ids carry the
 * attempt and the pipeline-wide checks (summary, folded matrix) carry a round number.
 */
export type CheckRef =
  | { readonly kind: "job"; readonly jobId: string; readonly attempt: number }
  | { readonly kind: "summary"; readonly pipelineId: string; readonly round: number }
  | { readonly kind: "matrix"; readonly pipelineId: string; readonly round: number }
  | { readonly kind: "config"; readonly sha: string }
  | { readonly kind: "gate"; readonly sha: string };

/** Job and pipeline ids hold no "/", so the id is always the last segment. */
export function formatExternalId(ref: CheckRef): string {
  switch (ref.kind) {
    case "job":
      return `job/${ref.attempt}/${ref.jobId}`;
    case "summary":
    case "matrix":
      return `${ref.kind}/${ref.round}/${ref.pipelineId}`;
    case "config":
    case "gate":
      return `${ref.kind}/${ref.sha}`;
  }
}

const NUMBERED = /^(job|summary|matrix)\/([1-9]\d{0,8})\/([^/]+)$/;
const BY_SHA = /^(config|gate)\/([0-9a-f]{7,64})$/;

/** The inverse of formatExternalId; undefined for ids we did not write. */
export function parseExternalId(value: string | null | undefined): CheckRef | undefined {
  if (value === null || value === undefined) return undefined;
  const numbered = NUMBERED.exec(value);
  if (numbered !== null) {
    const [, kind, count, id] = numbered;
    const n = Number(count);
    if (id === undefined) return undefined;
    if (kind === "job") return { kind, jobId: id, attempt: n };
    if (kind === "summary" || kind === "matrix") return { kind, pipelineId: id, round: n };
    return undefined;
  }
  const bySha = BY_SHA.exec(value);
  const [, kind, sha] = bySha ?? [];
  if ((kind === "config" || kind === "gate") && sha !== undefined) return { kind, sha };
  return undefined;
}

import type { JobRecord } from "../engine/ports.js";
import type { Artifact, JobResult } from "../pipeline/types.js";
import {
  coverageDelta,
  renderJobSummary,
  toAnnotations,
  type CheckAnnotation,
  type CoverageDelta,
  type JobSummaryInput,
} from "../reports/index.js";
import { cell, table } from "./markdown.js";

/**
 * The build's artifacts as a markdown table: name, kind, size in bytes, SHA-256; each name
 * links to its download when the bot has a public URL (`downloads`: the commit's
 * `/artifacts/…` address). Links carry no token: a check run is no place for one.
 */
export function artifactTable(
  artifacts: readonly Artifact[],
  downloads?: string,
): string | undefined {
  if (artifacts.length === 0) return undefined;
  const rows = artifacts.map((a) => [
    downloads === undefined
      ? cell(a.name)
      : `[${cell(a.name)}](${downloads}/${encodeURIComponent(a.name)})`,
    a.kind,
    `${a.size.toLocaleString("en-US")} B`,
    `\`${a.sha256}\``,
  ]);
  const note =
    downloads === undefined
      ? ""
      : `\n\nDownloads of a private repository need its \`artifacts\` token (\`?token=\`).`;
  return `**Artifacts**\n\n${table(["File", "Kind", "Size", "SHA-256"], rows)}${note}`;
}

/** Most annotations one check run gets; the summary counts the rest ("N more"). */
export const ANNOTATION_CAP = 1000;

/** The test report's rejection, when it was one ("test report rejected: …"). */
export function testRejection(result: JobResult): string | undefined {
  return result.rejected?.find((note) => note.startsWith("test report rejected"));
}

/** A coverage report's rejection ("coverage report rejected: …"). */
export function coverageRejection(result: JobResult): string | undefined {
  return result.rejected?.find((note) => note.startsWith("coverage report rejected"));
}

/** A completed job's findings as annotations, capped, with how many did not fit. */
export function jobAnnotations(result: JobResult | null): {
  annotations: CheckAnnotation[];
  omitted: number;
} {
  const { annotations, omitted } = toAnnotations(result?.findings ?? [], { cap: ANNOTATION_CAP });
  return { annotations, omitted: omitted + (result?.findingsOmitted ?? 0) };
}

function delta(result: JobResult): CoverageDelta | undefined {
  const report = result.coverageReport;
  if (report === undefined) return undefined;
  if (result.baseCoverage !== undefined) return coverageDelta(report, result.baseCoverage.totals);
  // The gate looked the pull request up (it has diff coverage) but found no stored base.
  return result.diffCoverage === undefined ? undefined : coverageDelta(report, undefined);
}

/** What the check run summary of a job shows from its parsed reports; undefined: nothing. */
export function jobSummaryInput(job: JobRecord): JobSummaryInput | undefined {
  const result = job.result;
  if (result === null) return undefined;
  const rejectedTests = testRejection(result);
  const tests =
    result.tests === undefined && rejectedTests === undefined
      ? undefined
      : [
          {
            leg: job.spec.name,
            ...(result.tests === undefined ? {} : { report: result.tests }),
            ...(rejectedTests === undefined ? {} : { rejected: rejectedTests }),
          },
        ];
  const tools = result.tools;
  const findings =
    tools === undefined
      ? undefined
      : { findings: result.findings ?? [], tools, omitted: jobAnnotations(result).omitted };
  const report = result.coverageReport;
  const gate = job.spec.evaluate;
  const change = delta(result);
  const coverage =
    report === undefined
      ? undefined
      : {
          report,
          ...(change === undefined ? {} : { delta: change }),
          ...(result.diffCoverage === undefined ? {} : { diff: result.diffCoverage }),
          ...(gate?.minimum === undefined ? {} : { minimum: gate.minimum }),
          ...(gate?.diffMinimum === undefined ? {} : { diffMinimum: gate.diffMinimum }),
        };
  const notes = result.rejected ?? [];
  if (tests === undefined && findings === undefined && coverage === undefined && notes.length === 0)
    return undefined;
  return {
    ...(tests === undefined ? {} : { tests }),
    ...(findings === undefined ? {} : { findings }),
    ...(coverage === undefined ? {} : { coverage }),
    ...(notes.length === 0 ? {} : { notes }),
  };
}

/** The reports part of a job's check run summary, within `limit` characters. */
export function jobReportMarkdown(job: JobRecord, limit: number): string | undefined {
  const input = jobSummaryInput(job);
  if (input === undefined || limit < 200) return undefined;
  return renderJobSummary({ ...input, limit });
}

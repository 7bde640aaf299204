import type { Budget } from "./sections.js";

/** A part of a document rendered within a budget. */
export type Section = (budget: Budget) => string;

/** From roomy to terse: tables lose rows and messages characters until the text fits. */
const LADDER: readonly Budget[] = [
  { rows: 50, chars: 300 },
  { rows: 25, chars: 200 },
  { rows: 10, chars: 120 },
  { rows: 5, chars: 80 },
  { rows: 2, chars: 60 },
  { rows: 0, chars: 40 },
];

/**
 * Renders `head` and `sections` at the roomiest budget that fits `limit`; if even the tersest
 * does not, whole sections are dropped from the end, with a note. Pieces are joined whole, so
 * the result is never cut inside markup.
 */
export function fitSections(input: {
  readonly head: Section;
  readonly sections: readonly Section[];
  readonly limit: number;
  readonly omitted: string;
}): string {
  for (const budget of LADDER) {
    const body = [input.head(budget), ...input.sections.map((section) => section(budget))].join(
      "\n\n",
    );
    if (body.length <= input.limit) return body;
  }
  const tersest = LADDER[LADDER.length - 1] ?? { rows: 0, chars: 40 };
  const head = input.head(tersest);
  const parts = input.sections.map((section) => section(tersest));
  for (let keep = parts.length - 1; keep >= 0; keep--) {
    const note = `_${parts.length - keep} section(s) left out to fit GitHub's limit: ${input.omitted}._`;
    const body = [head, ...parts.slice(0, keep), note].join("\n\n");
    if (body.length <= input.limit) return body;
  }
  const note = `_Left out to fit GitHub's limit: ${input.omitted}._`;
  const minimal = `${head.split("\n\n")[0] ?? ""}\n\n${note}`;
  return minimal.length <= input.limit ? minimal : note;
}

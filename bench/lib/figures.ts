/** What scenarios measure and how the bench prints it. Pure. */

/** One measured figure with its goal; `met` is null for figures that are context, not goals. */
export interface Figure {
  readonly name: string;
  readonly value: string;
  readonly goal: string;
  readonly met: boolean | null;
  /** A context figure that also goes in the closing table (scenarios without goals). */
  readonly headline?: boolean;
}

export type ScenarioOutcome =
  | { readonly kind: "ran"; readonly figures: readonly Figure[]; readonly notes: readonly string[] }
  | { readonly kind: "skipped"; readonly reason: string }
  | { readonly kind: "error"; readonly message: string };

export interface ScenarioContext {
  readonly quick: boolean;
  /** The repository root. */
  readonly root: string;
  /** A scratch folder of this bench run, removed at the end. */
  readonly scratch: string;
  /** Progress and detail lines, printed as they come. */
  readonly say: (line: string) => void;
}

export interface Scenario {
  readonly id: number;
  readonly title: string;
  readonly run: (context: ScenarioContext) => Promise<ScenarioOutcome>;
}

export function info(name: string, value: string, headline = false): Figure {
  return { name, value, goal: "—", met: null, ...(headline ? { headline } : {}) };
}

export function ran(figures: readonly Figure[], notes: readonly string[] = []): ScenarioOutcome {
  return { kind: "ran", figures, notes };
}

/** The p-th percentile (0–100) by the nearest-rank method; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const high = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? high : ((sorted[middle - 1] ?? high) + high) / 2;
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Milliseconds as people read them: "12.3 ms" under 10 s, else "12.3 s". */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 10_000) return `${value.toFixed(value < 100 ? 1 : 0)} ms`;
  return `${(value / 1000).toFixed(1)} s`;
}

export function ratio(numerator: number, denominator: number): string {
  return denominator > 0 && Number.isFinite(numerator)
    ? `${(numerator / denominator).toFixed(2)}×`
    : "n/a";
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function metLabel(met: boolean | null): string {
  if (met === null) return "—";
  return met ? "yes" : "NO";
}

/** A plain-text table with a header rule; columns padded to their widest cell. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]) {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)];
}

/** One scenario's figures as printed under its heading. */
export function renderFigures(figures: readonly Figure[]): string[] {
  return renderTable(
    ["figure", "measured", "goal", "met?"],
    figures.map((f) => [f.name, f.value, f.goal, metLabel(f.met)]),
  ).map((row) => `  ${row}`);
}

export interface ScenarioReport {
  readonly scenario: Scenario;
  readonly outcome: ScenarioOutcome;
  readonly seconds: number;
}

/** The closing table: one row per goal (context figures stay in the scenario's own output). */
export function summaryRows(reports: readonly ScenarioReport[]): string[][] {
  return reports.flatMap(({ scenario, outcome }): string[][] => {
    const label = `${scenario.id}. ${scenario.title}`;
    switch (outcome.kind) {
      case "skipped":
        return [[label, `skipped: ${outcome.reason}`, "—", "skipped"]];
      case "error":
        return [[label, `could not run: ${outcome.message}`, "—", "error"]];
      case "ran":
        return outcome.figures
          .filter((figure) => figure.met !== null || figure.headline === true)
          .map((figure) => [
            label,
            `${figure.name}: ${figure.value}`,
            figure.goal,
            metLabel(figure.met),
          ]);
    }
  });
}

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The workspace path the report fixtures were generated in (scripts/make-report-fixtures.sh). */
export const ROOT = "/tmp/pylot-work/jobs/fixture-1/src";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/reports/", import.meta.url));

/** A report fixture's bytes, as the App would read them from the runner's reports folder. */
export function fixture(path: string): Uint8Array {
  return readFileSync(`${FIXTURES}${path}`);
}

export function fixtureText(path: string): string {
  return readFileSync(`${FIXTURES}${path}`, "utf8");
}

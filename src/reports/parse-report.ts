import { parseBandit } from "./bandit.js";
import { parseBlack } from "./black.js";
import { parseCobertura } from "./cobertura.js";
import { parseCoverageJson } from "./coverage-json.js";
import { parseFlake8 } from "./flake8.js";
import { parseJunit } from "./junit.js";
import type { ParseOptions, ParseResult, ReportKind, ReportValues } from "./model.js";
import { parseMypy } from "./mypy.js";
import { parsePylint } from "./pylint.js";

type Parsers = {
  readonly [K in ReportKind]: (
    input: string | Uint8Array,
    options?: ParseOptions,
  ) => ParseResult<ReportValues[K]>;
};

const PARSERS: Parsers = {
  cobertura: parseCobertura,
  "coverage-json": parseCoverageJson,
  junit: parseJunit,
  bandit: parseBandit,
  flake8: parseFlake8,
  pylint: parsePylint,
  mypy: parseMypy,
  black: parseBlack,
};

/** Any report by kind; the same pure parsers as the named functions. */
export function parseReport<K extends ReportKind>(
  kind: K,
  input: string | Uint8Array,
  options: ParseOptions = {},
): ParseResult<ReportValues[K]> {
  const parse: Parsers[K] = PARSERS[kind];
  return parse(input, options);
}

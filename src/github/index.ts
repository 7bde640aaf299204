/**
 * The `github/` capability: the only code that calls GitHub. Check runs (per job, folded
 * matrix, summary, config errors, fork gate), the repository config at a commit, and the
 * source tarball for runners. Every function takes the narrow slice of Octokit it needs.
 */
export {
  createCheckRunReporters,
  EXTERNAL_KEYS,
  type CheckRunReporters,
  type CheckRunReportersOptions,
} from "./check-runs.js";
export {
  ANNOTATION_BATCH,
  CheckRunWriter,
  type CheckRunWriterOptions,
} from "./check-run-writer.js";
export {
  CONFIG_NAME,
  FOLD_ABOVE,
  MATRIX_NAME,
  RERUN_FAILED,
  SUMMARY_NAME,
  checkName,
  type DesiredCheck,
} from "./desired-checks.js";
export { formatExternalId, parseExternalId, type CheckRef } from "./external-id.js";
export { OUTPUT_LIMIT } from "./markdown.js";
export type { ChecksPort, ConfigPort, InstallationOctokit, RequestPort } from "./ports.js";
export {
  createConfigCache,
  loadRepoConfig,
  type ConfigCache,
  type RepoAt,
  type RepoConfig,
} from "./repo-config.js";
export { createSourceFetcher, SourceTooLargeError, type GithubSource } from "./source-tarball.js";
export {
  configCheck,
  forkGateCheck,
  publishCheck,
  type CommitTarget,
} from "./standalone-checks.js";

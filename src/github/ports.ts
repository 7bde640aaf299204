import type { ProbotOctokit } from "probot";

/**
 * The slices of Octokit that `github/` uses. Each function declares the one it needs, so a
 * test can hand it a real Octokit pointed at nock, or at a local stub of the GitHub API.
 */
export type ChecksPort = Pick<ProbotOctokit["rest"]["checks"], "create" | "update" | "listForRef">;

export type CheckRunCreateParams = NonNullable<Parameters<ChecksPort["create"]>[0]>;
export type CheckRunUpdateParams = NonNullable<Parameters<ChecksPort["update"]>[0]>;
export type CheckRunOutput = NonNullable<CheckRunCreateParams["output"]>;
export type CheckRunAnnotation = NonNullable<CheckRunOutput["annotations"]>[number];
export type CheckRunAction = NonNullable<CheckRunCreateParams["actions"]>[number];

/** Reads `.github/pylot.yml` (with `_extends`), the raw file, and the repository root. */
export interface ConfigPort {
  readonly config: Pick<ProbotOctokit["config"], "get">;
  /** Where the config file's size is checked before Probot's loader parses it. */
  readonly hook: ProbotOctokit["hook"];
  readonly rest: { readonly repos: Pick<ProbotOctokit["rest"]["repos"], "getContent"> };
}

/** Downloads a source tarball. */
export type RequestPort = Pick<ProbotOctokit, "request">;

/** An installation's client, as `app.auth(installationId)` returns it. */
export type InstallationOctokit = Pick<ProbotOctokit, "request" | "config" | "rest">;

import type { PipelineRecord } from "../engine/ports.js";

/** Base of the store's typed errors, so callers can tell them from driver failures. */
export class StoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreError";
  }
}

/** `PYLOT_DATABASE_URL` names something this build cannot open. The message says what to do. */
export class StoreConfigError extends StoreError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreConfigError";
  }
}

/** A stored row does not match its schema: the database was edited by hand or is corrupt. */
export class StoreDataError extends StoreError {
  readonly table: string;
  readonly rowId: string | undefined;

  constructor(options: { table: string; rowId: string | undefined; problems: string }) {
    const which = options.rowId === undefined ? "a row" : `row "${options.rowId}"`;
    super(`Stored ${options.table} ${which} is invalid: ${options.problems}`);
    this.name = "StoreDataError";
    this.table = options.table;
    this.rowId = options.rowId;
  }
}

/** An update named a pipeline or job that does not exist. */
export class StoreNotFoundError extends StoreError {
  constructor(what: "pipeline" | "job", id: string) {
    super(`No ${what} with id "${id}" in the store`);
    this.name = "StoreNotFoundError";
  }
}

/**
 * A commit already has a running build in this repository: another replica (or event) started
 * it first. The caller finds that pipeline with `findPipelineBySha` instead of building again.
 */
export class PipelineConflictError extends StoreError {
  readonly repo: string;
  readonly sha: string;

  constructor(repo: string, sha: string) {
    super(`${repo}@${sha} already has a running pipeline`);
    this.name = "PipelineConflictError";
    this.repo = repo;
    this.sha = sha;
  }

  static of(pipeline: PipelineRecord): PipelineConflictError {
    return new PipelineConflictError(pipeline.trigger.repo ?? "", pipeline.trigger.sha);
  }
}

import type { Logger } from "pino";
import type { PipelineRecord, Store } from "../engine/ports.js";
import { CheckRunWriter, type CreatedRun, type Refreshed } from "./check-run-writer.js";
import type { DesiredCheck } from "./desired-checks.js";
import type { ChecksPort } from "./ports.js";

/** Keys the reporter keeps in a job's `external`. */
export const EXTERNAL_KEYS = {
  id: "checkRunId",
  attempt: "checkRunAttempt",
  url: "checkRunUrl",
} as const;

/** A check run standing for the whole pipeline (the summary) or the folded matrix. */
export interface Aggregate {
  round: number;
  status: DesiredCheck["status"] | undefined;
}

/** What the reporter knows about one pipeline's check runs. */
export interface PipelineChecks {
  readonly writer: CheckRunWriter;
  /** Job id → html_url of its check run, for links from the summary. */
  readonly links: Map<string, string>;
  /** The newest `Pylot` check run's page, once created or found. */
  summaryUrl: string | undefined;
  summary: Aggregate | undefined;
  matrix: Aggregate | undefined;
  /** True in the process that planned the pipeline; others look check runs up before creating. */
  planner: boolean;
}

export interface CheckRunStatesOptions {
  readonly checksFor: (installationId: number) => Promise<ChecksPort>;
  readonly store: Pick<Store, "setJobExternal">;
  readonly logger: Logger;
  /** Pipelines kept in memory; older ones are found again on GitHub when they change. */
  readonly retain: number;
  /**
   * With several replicas: how long one that did not plan a pipeline leaves creating its check
   * runs to the planner (ms). 0 with one process, which after a restart is the only writer.
   */
  readonly plannerGraceMs: number;
  /** Rebuilds a desired state from the store at write time (see CheckRunWriter). */
  readonly refresh?: (
    pipeline: PipelineRecord,
    state: PipelineChecks,
    desired: DesiredCheck,
  ) => Promise<Refreshed | undefined>;
}

async function recordCreated(
  store: Pick<Store, "setJobExternal">,
  state: PipelineChecks,
  run: CreatedRun,
): Promise<void> {
  if (run.ref.kind === "summary" && run.htmlUrl !== undefined) state.summaryUrl = run.htmlUrl;
  if (run.ref.kind !== "job") return;
  if (run.htmlUrl !== undefined) state.links.set(run.ref.jobId, run.htmlUrl);
  await store.setJobExternal(run.ref.jobId, {
    [EXTERNAL_KEYS.id]: String(run.id),
    [EXTERNAL_KEYS.attempt]: String(run.ref.attempt),
    ...(run.htmlUrl === undefined ? {} : { [EXTERNAL_KEYS.url]: run.htmlUrl }),
  });
}

/** Per-pipeline bookkeeping (most recently used first out of memory) and one client per installation. */
export class CheckRunStates {
  readonly #options: CheckRunStatesOptions;
  readonly #states = new Map<string, PipelineChecks>();
  readonly #clients = new Map<number, Promise<ChecksPort>>();

  constructor(options: CheckRunStatesOptions) {
    this.#options = options;
  }

  /** One client per installation, so its writes share one throttle. */
  checksFor(installationId: number): Promise<ChecksPort> {
    let client = this.#clients.get(installationId);
    if (client === undefined) {
      client = this.#options.checksFor(installationId);
      client.catch(() => this.#clients.delete(installationId));
      this.#clients.set(installationId, client);
    }
    return client;
  }

  /** `found` is false for a pipeline this process has no bookkeeping for (yet, or any more). */
  get(
    pipeline: PipelineRecord,
    at: { readonly installationId: number; readonly repo: string },
  ): { state: PipelineChecks; found: boolean } {
    const known = this.#states.get(pipeline.id);
    if (known !== undefined) {
      this.#states.delete(pipeline.id);
      this.#states.set(pipeline.id, known);
      return { state: known, found: true };
    }
    const [owner = "", repo = ""] = at.repo.split("/");
    const links = new Map<string, string>();
    const writer = new CheckRunWriter({
      checks: () => this.checksFor(at.installationId),
      owner,
      repo,
      logger: this.#options.logger.child({ pipeline: pipeline.id, repo: at.repo }),
      onCreated: (run) => recordCreated(this.#options.store, state, run),
      lookupFirst: () => !state.planner,
      holdCreate: () =>
        state.planner
          ? 0
          : Date.parse(pipeline.createdAt) + this.#options.plannerGraceMs - Date.now(),
      ...(this.#options.refresh === undefined
        ? {}
        : { refresh: (desired: DesiredCheck) => this.#refresh(pipeline, state, desired) }),
    });
    const state: PipelineChecks = {
      writer,
      links,
      summaryUrl: undefined,
      summary: undefined,
      matrix: undefined,
      planner: false,
    };
    this.#states.set(pipeline.id, state);
    for (const [id, old] of this.#states) {
      if (this.#states.size <= this.#options.retain) break;
      if (!old.writer.busy) this.#states.delete(id);
    }
    return { state, found: false };
  }

  #refresh(
    pipeline: PipelineRecord,
    state: PipelineChecks,
    desired: DesiredCheck,
  ): Promise<Refreshed | undefined> {
    return this.#options.refresh?.(pipeline, state, desired) ?? Promise.resolve(undefined);
  }

  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.#states.values()].filter((s) => s.writer.busy);
      if (busy.length === 0) return;
      await Promise.all(busy.map((s) => s.writer.idle()));
    }
  }
}

import type { Logger } from "pino";
import type { DesiredCheck } from "./desired-checks.js";
import { formatExternalId, type CheckRef } from "./external-id.js";
import type { ChecksPort, CheckRunAnnotation, CheckRunUpdateParams } from "./ports.js";

/** GitHub takes at most 50 annotations per request; more go in follow-up updates. */
export const ANNOTATION_BATCH = 50;

export interface CreatedRun {
  readonly ref: CheckRef;
  readonly id: number;
  readonly htmlUrl: string | undefined;
}

export interface CheckRunWriterOptions {
  readonly checks: () => Promise<ChecksPort>;
  readonly owner: string;
  readonly repo: string;
  readonly logger: Logger;
  readonly onCreated?: (run: CreatedRun) => Promise<void>;
  /**
   * Rebuilds a desired state from the store at write time, with the check run's id when
   * another replica created it. Several replicas write the checks of one pipeline: what they
   * write must be the newest stored state, never the state they saw when they queued it.
   */
  readonly refresh?: (desired: DesiredCheck) => Promise<Refreshed | undefined>;
  /** True when this process did not plan the pipeline: look a check run up before creating it. */
  readonly lookupFirst?: () => boolean;
  /**
   * How long to hold back creating a check run that was not found (ms; 0: create now). The
   * replica that planned a pipeline creates its check runs; another one waits for them while
   * the planner may still be alive, and creates them only after that.
   */
  readonly holdCreate?: () => number;
}

export interface Refreshed {
  readonly desired: DesiredCheck;
  /** The check run's id, when the store knows it. */
  readonly id: number | undefined;
}

interface KnownRun {
  readonly id: number;
  /** The last body sent, to skip updates that change nothing. */
  sent: string | undefined;
}

type Body = Omit<CheckRunUpdateParams, "owner" | "repo" | "check_run_id">;

function bodyOf(desired: DesiredCheck, annotations: readonly CheckRunAnnotation[]): Body {
  return {
    status: desired.status,
    ...(desired.startedAt === undefined ? {} : { started_at: desired.startedAt }),
    ...(desired.completedAt === undefined ? {} : { completed_at: desired.completedAt }),
    ...(desired.conclusion === undefined ? {} : { conclusion: desired.conclusion }),
    ...(desired.detailsUrl === undefined ? {} : { details_url: desired.detailsUrl }),
    ...(desired.actions === undefined ? {} : { actions: [...desired.actions] }),
    output: {
      title: desired.title,
      summary: desired.summary,
      ...(desired.text === undefined ? {} : { text: desired.text }),
      ...(annotations.length === 0 ? {} : { annotations: [...annotations] }),
    },
  };
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out.length === 0 ? [[]] : out;
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  return typeof error.status === "number" ? error.status : undefined;
}

/** A 5xx or a lost connection: the create may have happened on GitHub's side. */
function ambiguous(error: unknown): boolean {
  const status = httpStatus(error);
  return status === undefined || status >= 500;
}

/**
 * Brings check runs to their desired state, one request at a time, in submission order. A
 * state submitted while an older one for the same check run still waits replaces it (and takes
 * its turn at the back), so a slow or throttled GitHub costs fewer requests rather than a
 * growing backlog.
 */
export class CheckRunWriter {
  readonly #options: CheckRunWriterOptions;
  readonly #log: Logger;
  readonly #pending = new Map<string, DesiredCheck>();
  readonly #known = new Map<string, KnownRun>();
  readonly #idle: (() => void)[] = [];
  #running = false;

  constructor(options: CheckRunWriterOptions) {
    this.#options = options;
    this.#log = options.logger;
  }

  /** Tells the writer about a check run that exists already (persisted, or found). */
  remember(ref: CheckRef, id: number): void {
    const key = formatExternalId(ref);
    if (!this.#known.has(key)) this.#known.set(key, { id, sent: undefined });
  }

  knows(ref: CheckRef): boolean {
    return this.#known.has(formatExternalId(ref));
  }

  submit(desired: DesiredCheck): void {
    const key = formatExternalId(desired.ref);
    // To the back: the newest state goes out after what was submitted before it, so a summary
    // never shows "completed" ahead of the jobs it sums up.
    this.#pending.delete(key);
    this.#pending.set(key, desired);
    if (this.#running) return;
    this.#running = true;
    void this.#drain();
  }

  get busy(): boolean {
    return this.#running;
  }

  idle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(): Promise<void> {
    try {
      for (let next = this.#next(); next !== undefined; next = this.#next()) {
        try {
          await this.#write(next);
        } catch (error) {
          this.#log.error(
            { err: error, check: next.name, externalId: formatExternalId(next.ref) },
            "check run write failed",
          );
        }
      }
    } finally {
      this.#running = false;
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  #next(): DesiredCheck | undefined {
    const first = this.#pending.entries().next();
    if (first.done === true) return undefined;
    this.#pending.delete(first.value[0]);
    return first.value[1];
  }

  async #write(queued: DesiredCheck): Promise<void> {
    const key = formatExternalId(queued.ref);
    const refreshed = await this.#options.refresh?.(queued);
    const desired = refreshed?.desired ?? queued;
    if (refreshed?.id !== undefined) this.remember(desired.ref, refreshed.id);
    const [firstBatch = [], ...rest] = batches(desired.annotations ?? [], ANNOTATION_BATCH);
    const body = bodyOf(desired, firstBatch);
    const fingerprint = JSON.stringify([body, rest]);
    const known = this.#known.get(key);
    if (known?.sent === fingerprint) return;
    const checks = await this.#options.checks();
    const { owner, repo } = this.#options;
    let id: number;
    const existing =
      known === undefined && this.#options.lookupFirst?.() === true
        ? await this.#lookUp(checks, desired)
        : undefined;
    const hold =
      known === undefined && existing === undefined ? (this.#options.holdCreate?.() ?? 0) : 0;
    if (hold > 0) {
      setTimeout(
        () => {
          if (!this.#pending.has(key)) this.submit(desired);
        },
        Math.min(hold, 2000),
      ).unref();
      return;
    }
    if (existing !== undefined) {
      await checks.update({ owner, repo, check_run_id: existing, ...body });
      id = existing;
    } else if (known === undefined) {
      id = await this.#create(checks, desired, body);
    } else {
      await checks.update({ owner, repo, check_run_id: known.id, ...body });
      id = known.id;
    }
    for (const annotations of rest)
      await checks.update({ owner, repo, check_run_id: id, ...bodyOf(desired, annotations) });
    this.#known.set(key, { id, sent: fingerprint });
  }

  /** Creates a check run without ever creating it twice (see `ambiguous`). */
  async #create(checks: ChecksPort, desired: DesiredCheck, body: Body): Promise<number> {
    const { owner, repo } = this.#options;
    const externalId = formatExternalId(desired.ref);
    const params = {
      owner,
      repo,
      name: desired.name,
      head_sha: desired.headSha,
      external_id: externalId,
      ...body,
      // Octokit's retry plugin would re-send the POST blindly; we look before re-sending.
      request: { retries: 0 },
    };
    const create = async () => {
      const { data } = await checks.create(params);
      await this.#created({ ref: desired.ref, id: data.id, htmlUrl: data.html_url ?? undefined });
      return data.id;
    };
    try {
      return await create();
    } catch (error) {
      if (!ambiguous(error)) throw error;
      this.#log.warn({ err: error, check: desired.name }, "check run create failed; looking it up");
      return (await this.#lookUp(checks, desired)) ?? create();
    }
  }

  /** Finds a check run by its external id (created by another replica, or by a lost reply). */
  async #lookUp(checks: ChecksPort, desired: DesiredCheck): Promise<number | undefined> {
    const { owner, repo } = this.#options;
    const externalId = formatExternalId(desired.ref);
    const { data } = await checks.listForRef({
      owner,
      repo,
      ref: desired.headSha,
      check_name: desired.name,
      filter: "all",
      per_page: 100,
    });
    const found = data.check_runs.find((run) => run.external_id === externalId);
    if (found === undefined) return undefined;
    await this.#created({ ref: desired.ref, id: found.id, htmlUrl: found.html_url ?? undefined });
    return found.id;
  }

  async #created(run: CreatedRun): Promise<void> {
    try {
      await this.#options.onCreated?.(run);
    } catch (error) {
      this.#log.warn({ err: error, checkRunId: run.id }, "could not record check run id");
    }
  }
}

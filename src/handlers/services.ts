import type { Logger } from "pino";
import type { Engine } from "../engine/index.js";
import type { Store } from "../engine/ports.js";
import type { KeyedSerial } from "../engine/index.js";
import type { CheckRunReporters, ConfigCache } from "../github/index.js";

/** What handlers use; app.ts builds it, tests build it with a real store and engine. */
export interface HandlerServices {
  readonly store: Pick<
    Store,
    | "recordDelivery"
    | "forgetDelivery"
    | "findPipelineBySha"
    | "findRunningPipelines"
    | "getJob"
    | "getPipeline"
    | "listJobs"
    | "artifacts"
    | ChatOpsStoreMethod
  >;
  readonly engine: Pick<Engine, "start" | "cancelPipeline" | "rerun">;
  readonly configs: ConfigCache;
  /** One decision at a time per commit, so push, PR and check suite events build it once. */
  readonly commits: KeyedSerial;
  /** The version of the runner's default interpreter, for configs that name none. */
  readonly defaultPython: string;
  readonly logger: Logger;
  readonly chatops: ChatOpsSettings;
  /** The sticky PR comment, for a PR opened on a commit whose pipeline already completed. */
  readonly comments?: Pick<CheckRunReporters, "commentOn">;
}

/** The store methods of ChatOps: locks, the deployment mirror, deploy runs, approvals. */
export type ChatOpsStoreMethod =
  | "getLock"
  | "listLocks"
  | "acquireLock"
  | "releaseLock"
  | "saveDeployments"
  | "listDeployments"
  | "startDeployRun"
  | "finishDeployRun"
  | "recordApproval"
  | "findApproval";

export interface ChatOpsSettings {
  /** The bot's environment: `PYLOT_ENV_<ENV>_<NAME>` deploy secrets come from here. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `PYLOT_PUBLIC_URL`: where deploy logs are linked, when set. */
  readonly publicUrl: string | undefined;
  /** `PYLOT_BADGE_SECRET`: signs the badge URLs of private repositories. */
  readonly badgeSecret?: string | undefined;
  readonly now?: () => Date;
}

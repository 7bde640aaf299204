import type { Logger } from "pino";
import type { Engine } from "../engine/index.js";
import type { Store } from "../engine/ports.js";
import type { KeyedSerial } from "../engine/index.js";
import type { ConfigCache } from "../github/index.js";

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
  >;
  readonly engine: Pick<Engine, "start" | "cancelPipeline" | "rerun">;
  readonly configs: ConfigCache;
  /** One decision at a time per commit, so push, PR and check suite events build it once. */
  readonly commits: KeyedSerial;
  /** The version of the runner's default interpreter, for configs that name none. */
  readonly defaultPython: string;
  readonly logger: Logger;
}

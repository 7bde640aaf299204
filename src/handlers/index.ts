/**
 * The `handlers/` capability: one function per event family. Each records the delivery
 * (dedupe), decodes the payload with a pure `decide*` function, and calls the engine or
 * `github/`; none waits for jobs.
 */
import { onCheckRun } from "./check-run.js";
import { onCheckSuite } from "./check-suite.js";
import { onPullRequest } from "./pull-request.js";
import { onPush } from "./push.js";
import type { HandlerServices } from "./services.js";

export { onCheckRun, onCheckSuite, onPullRequest, onPush };
export {
  decideCheckRun,
  decideCheckSuite,
  decidePullRequest,
  decidePush,
  SKIP_REASONS,
  type BuildTarget,
  type SkipReason,
} from "./decide.js";
export type { BuildOutcome } from "./build-commit.js";
export type { HandlerServices } from "./services.js";

export interface Handlers {
  readonly push: ReturnType<typeof onPush>;
  readonly pullRequest: ReturnType<typeof onPullRequest>;
  readonly checkSuite: ReturnType<typeof onCheckSuite>;
  readonly checkRun: ReturnType<typeof onCheckRun>;
}

export function createHandlers(services: HandlerServices): Handlers {
  return {
    push: onPush(services),
    pullRequest: onPullRequest(services),
    checkSuite: onCheckSuite(services),
    checkRun: onCheckRun(services),
  };
}

export { LocalDispatcher, createLocalDispatcher, type LocalDispatcherOptions } from "./local.js";
export {
  DEFAULT_NO_RUNNER_TIMEOUT_MS,
  QueueDispatcher,
  createQueueDispatcher,
  queueEnv,
  type QueueDispatcherOptions,
  type QueueEnv,
} from "./queue-dispatcher.js";
export {
  DEFAULT_STALL,
  QueueRunner,
  createQueueRunner,
  type QueueRunnerOptions,
  type StallSettings,
} from "./queue-runner.js";
export {
  checkRedis,
  queueSettings,
  redactRedisUrl,
  type QueueConnection,
  type QueueSettings,
  type RedisCheck,
} from "./queue/connection.js";
export { parseDuration, runQueueName, bullJobId, type RouteLabels } from "./queue/names.js";
export { DEFAULT_LOST_JOB_GRACE_MS, lostSummary, type LostJobsStore } from "./queue/lost-jobs.js";
export { noRunnerSummary, describeRunner, type RunnerInfo } from "./queue/runner-info.js";

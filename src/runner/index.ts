export { createLocalExecutor, type LocalExecutor, type LocalExecutorOptions } from "./executor.js";
export { type IsolationLevel, type Sandbox } from "./sandbox.js";
export {
  readSandboxSettings,
  SandboxSettingError,
  type JobLimits,
  type SandboxSettings,
} from "./sandbox-settings.js";
export { hostSecrets } from "./host-secrets.js";
export { discoverInterpreters, type DiscoverOptions } from "./discover-interpreters.js";
export {
  defaultInterpreter,
  pickInterpreter,
  type Interpreter,
  type InterpreterChoice,
  type InterpreterSource,
} from "./interpreter-choice.js";
export { coverageCommand, type CoverageCommand } from "./coverage-command.js";
export type { FetchSource, GithubSource } from "./source.js";

export {
  Engine,
  INTERRUPTED_DEPLOY,
  jobId,
  type EngineOptions,
  type StartInput,
  type RerunSelection,
} from "./engine.js";
export type * from "./ports.js";
export { KeyedSerial } from "./serial.js";

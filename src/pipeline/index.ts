export { plan, type PlanOptions } from "./plan.js";
export { expandMatrix, legKey, legLabel, findLeg, type MatrixInput } from "./matrix.js";
export {
  decide,
  aggregateConclusion,
  withDependents,
  evaluateCoverageGate,
  type Decision,
  type JobSnapshot,
  type GateResult,
  type StopReason,
} from "./state.js";
export * from "./types.js";

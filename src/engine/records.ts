import { randomUUID } from "node:crypto";
import type { JobSpec, Pipeline, Trigger } from "../pipeline/types.js";
import type { JobRecord, PipelineRecord, SourceRef } from "./ports.js";

export function newPipelineRecord(input: {
  trigger: Trigger;
  plan: Pipeline;
  source: SourceRef;
  now: string;
}): PipelineRecord {
  return {
    id: randomUUID(),
    trigger: input.trigger,
    plan: input.plan,
    source: input.source,
    status: "running",
    conclusion: null,
    createdAt: input.now,
    updatedAt: input.now,
    cancelReason: null,
  };
}

export function jobId(pipelineId: string, key: string): string {
  return `${pipelineId}:${key}`;
}

export function newJobRecord(pipelineId: string, spec: JobSpec): JobRecord {
  return {
    id: jobId(pipelineId, spec.key),
    pipelineId,
    spec,
    state: "pending",
    attempt: 1,
    conclusion: null,
    result: null,
    startedAt: null,
    finishedAt: null,
    external: {},
  };
}

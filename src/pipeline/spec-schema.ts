import { z } from "zod";
import { ArtifactSchema, JOB_KINDS } from "./types.js";

/**
 * The one schema of a planned pipeline as data: the store keeps it and the queue carries it,
 * and both validate it with this when they read it back.
 */

export const LegSchema = z.object({
  python: z.string(),
  os: z.string(),
  extra: z.record(z.string(), z.string()),
});

const args = z.array(z.string());
export const StepSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("flake8"), args }),
  z.object({ kind: z.literal("black"), args }),
  z.object({ kind: z.literal("pylint"), args }),
  z.object({ kind: z.literal("mypy"), paths: args, args }),
  z.object({
    kind: z.literal("bandit"),
    paths: args,
    failOn: z.enum(["none", "low", "medium", "high"]),
    confidence: z.enum(["low", "medium", "high"]),
    args,
  }),
  z.object({ kind: z.literal("test"), run: z.string(), coverage: z.boolean() }),
  z.object({ kind: z.literal("wheel") }),
  z.object({ kind: z.literal("docker"), file: z.string(), context: z.string() }),
  z.object({
    kind: z.literal("integration"),
    run: z.string(),
    services: z.array(
      z.object({
        name: z.string(),
        start: z.string(),
        ready: z.string(),
        timeoutSeconds: z.number().positive(),
      }),
    ),
  }),
  z.object({
    kind: z.literal("deploy"),
    run: z.string(),
    environment: z.string(),
    deploymentId: z.number().int().positive(),
    secretNames: z.array(z.string()).optional(),
    artifacts: z.array(ArtifactSchema).optional(),
    image: z.string().optional(),
  }),
]);

export const JobSpecSchema = z.object({
  key: z.string().min(1),
  name: z.string(),
  kind: z.enum(JOB_KINDS),
  leg: LegSchema,
  needs: z.array(z.string()),
  install: z.array(z.string()).exactOptional(),
  systemSitePackages: z.boolean(),
  steps: z.array(StepSchema),
  timeoutMs: z.number().positive(),
  matrix: z.boolean(),
  evaluate: z
    .object({
      kind: z.literal("coverage-gate"),
      minimum: z.number().exactOptional(),
      diffMinimum: z.number().exactOptional(),
    })
    .exactOptional(),
});

export const PipelineSchema = z.object({
  jobs: z.array(JobSpecSchema),
  failFast: z.boolean(),
  maxParallel: z.number().int().positive().exactOptional(),
  warnings: z.array(z.string()),
});

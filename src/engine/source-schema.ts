import { z } from "zod";

/** Where a job's source comes from, as stored and as carried by the queue. */
export const SourceRefSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("dir"), path: z.string() }),
  z.object({ kind: z.literal("tarball"), path: z.string() }),
  z.object({
    kind: z.literal("github"),
    repo: z.string(),
    sha: z.string(),
    installationId: z.number().int(),
  }),
]);

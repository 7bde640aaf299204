/**
 * Sends a burst of signed deliveries at once and prints the replies as JSON. Runs in its own
 * process (`node --import tsx bench/lib/burst-sender.ts <spec.json>`) so the GitHub stub in the
 * bench process cannot delay the client's clock, nor the client the stub's.
 */
import { readFile } from "node:fs/promises";
import { deliver, epochNow, pullRequestDelivery, type PullRequestSpec } from "./webhooks.js";

export interface BurstSpec {
  readonly port: number;
  readonly secret: string;
  readonly pullRequests: readonly PullRequestSpec[];
}

const file = process.argv[2];
if (file === undefined) throw new Error("usage: burst-sender.ts <spec.json>");
const spec = JSON.parse(await readFile(file, "utf8")) as BurstSpec;
// Signed before the clock starts: the burst is the sending, not the preparing.
const deliveries = spec.pullRequests.map((pr) => pullRequestDelivery(pr, spec.secret));
const startedAt = epochNow();
const replies = await Promise.all(deliveries.map((delivery) => deliver(spec.port, delivery)));
process.stdout.write(`${JSON.stringify({ startedAt, replies })}\n`);

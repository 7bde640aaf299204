import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import type { ServiceSpec } from "../pipeline/types.js";
import { signalGroup } from "./process.js";
import { exec, type StepContext } from "./step-context.js";

const POLL_MS = 250;

/**
 * A started service: its process group (with a namespace, that of the `unshare` holding it, so
 * stopping it ends every process the service started), stopped with `stopServices`.
 */
export interface RunningService {
  readonly name: string;
  readonly pid: number | undefined;
  readonly exited: Promise<void>;
}

export type ServicesOutcome =
  | { readonly kind: "ready"; readonly running: readonly RunningService[] }
  | {
      readonly kind: "failed";
      readonly running: readonly RunningService[];
      readonly message: string;
    }
  | { readonly kind: "stopped"; readonly running: readonly RunningService[] };

/**
 * Starts each service's `start` command in the background (its own process group, output in
 * the job log), then polls its `ready` command until it exits 0 or the service's timeout
 * passes. Best effort by design: a runner without the service's software fails the probe, and
 * the job says which service was not ready. Callers always stop what was started.
 */
export async function startServices(
  ctx: StepContext,
  services: readonly ServiceSpec[],
): Promise<ServicesOutcome> {
  const running: RunningService[] = [];
  for (const service of services) {
    ctx.log.line(`[pylot] service ${service.name}: $ ${service.start}`);
    running.push(spawnService(ctx, service));
    const ready = await waitReady(ctx, service);
    if (ready === "stopped") return { kind: "stopped", running };
    if (ready === "timeout") {
      const message = `service ${service.name} was not ready after ${service.timeoutSeconds}s (ready: ${service.ready})`;
      return { kind: "failed", running, message };
    }
    ctx.log.line(`[pylot] service ${service.name} is ready`);
  }
  return { kind: "ready", running };
}

function spawnService(ctx: StepContext, service: ServiceSpec): RunningService {
  const [command = "/bin/sh", ...args] = ctx.confine.wrap(["/bin/sh", "-c", service.start]);
  const child = spawn(command, args, {
    cwd: ctx.paths.src,
    env: ctx.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = ctx.log.sink();
  const err = ctx.log.sink();
  child.stdout.on("data", (chunk: Buffer) => {
    out.write(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    err.write(chunk);
  });
  const exited = new Promise<void>((resolve) => {
    child.on("error", (error) => {
      ctx.log.line(`[pylot] service ${service.name} could not start: ${error.message}`);
      resolve();
    });
    child.on("close", () => {
      out.end();
      err.end();
      resolve();
    });
  });
  return { name: service.name, pid: child.pid, exited };
}

async function waitReady(
  ctx: StepContext,
  service: ServiceSpec,
): Promise<"ready" | "timeout" | "stopped"> {
  const deadline = performance.now() + service.timeoutSeconds * 1000;
  for (;;) {
    const { outcome } = await exec(ctx, ["/bin/sh", "-c", service.ready], {
      quiet: true,
      capture: true,
    });
    if (outcome.kind === "stopped") return "stopped";
    if (outcome.kind === "exited" && outcome.code === 0) return "ready";
    if (performance.now() >= deadline) return "timeout";
    try {
      await sleep(POLL_MS, undefined, { signal: ctx.signal });
    } catch {
      return "stopped";
    }
  }
}

/** SIGTERM to each service's group, SIGKILL after the grace period; waits for them to end. */
export async function stopServices(
  services: readonly RunningService[],
  killGraceMs: number,
): Promise<void> {
  await Promise.all(
    services.map(async (service) => {
      if (service.pid === undefined) return;
      const pid = service.pid;
      if (!signalGroup(pid, "SIGTERM")) return;
      const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), killGraceMs);
      await Promise.race([service.exited, sleep(killGraceMs * 2)]);
      clearTimeout(timer);
      signalGroup(pid, "SIGKILL");
    }),
  );
}

import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";

/** Real processes of the scaled set-up (bot replicas, `pylot runner`s), seen through their logs. */

export type LogLine = Record<string, unknown> & { readonly msg?: string };

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr. */
  readonly output: () => string;
  /** Its JSON log lines so far (other lines are skipped). */
  readonly lines: () => LogLine[];
  readonly exited: Promise<number | null>;
  /** kill -9, resolved once the process is gone. */
  readonly kill9: () => Promise<void>;
  /** SIGTERM, resolved with the exit code (a process gone already resolves at once). */
  readonly stop: () => Promise<number | null>;
}

export function startProcess(input: {
  readonly name: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}): Proc {
  const child = spawn(process.execPath, [...input.args], {
    cwd: input.cwd,
    env: input.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      resolve(code);
    });
  });
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return {
    name: input.name,
    child,
    output: () => output,
    lines: () => parseLines(output),
    exited,
    kill9: async () => {
      await signal("SIGKILL");
    },
    stop: () => signal("SIGTERM"),
  };
}

function parseLines(text: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // A line still being written.
    }
  }
  return lines;
}

/** The `job` field of a process's log lines with this message. */
export function jobsLogged(proc: Proc, msg: string): string[] {
  return proc
    .lines()
    .filter((line) => line.msg === msg && typeof line["job"] === "string")
    .map((line) => String(line["job"]));
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    probe.close(() => {
      resolve();
    });
  });
  return port;
}

/** Posts a webhook delivery signed with `secret`, as GitHub does; resolves with the status. */
export async function deliver(input: {
  readonly port: number;
  readonly secret: string;
  readonly event: string;
  readonly payload: unknown;
}): Promise<number> {
  const body = JSON.stringify(input.payload);
  const signature = createHmac("sha256", input.secret).update(body).digest("hex");
  const response = await fetch(`http://127.0.0.1:${input.port}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": input.event,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${signature}`,
    },
    body,
  });
  await response.text();
  return response.status;
}

/** Jobs a runner took and has not finished. */
export function holding(runner: Proc): string[] {
  const finished = new Set(jobsLogged(runner, "job finished"));
  return jobsLogged(runner, "job taken").filter((job) => !finished.has(job));
}

/** The outcome kinds a replica logged under `msg` ("push handled"). */
export function outcomesLogged(replica: Proc, msg: string): string[] {
  return replica
    .lines()
    .filter((line) => line.msg === msg)
    .map((line) => (line["outcome"] as { kind?: string } | undefined)?.kind ?? "none");
}

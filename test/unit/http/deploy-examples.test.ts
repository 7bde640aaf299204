import { readFileSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { z } from "zod";

/**
 * docker-compose.yml and deploy/k8s/*.yaml are examples (no Docker engine or cluster here):
 * parsed, and held to what running Pylot needs.
 */

const ROOT = resolve(import.meta.dirname, "../../..");
const read = (path: string) => readFileSync(resolve(ROOT, path), "utf8");

/** Every variable .env.example documents (commented examples included). */
const documented = new Set(
  [...read(".env.example").matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? ""),
);

const Compose = z.object({
  services: z.record(
    z.string(),
    z.looseObject({
      command: z.array(z.string()).optional(),
      environment: z.record(z.string(), z.string()).optional(),
      deploy: z.object({ replicas: z.number() }).optional(),
      stop_grace_period: z.string().optional(),
      depends_on: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
});

const Probe = z.object({ httpGet: z.object({ path: z.string(), port: z.string() }) });
const EnvVar = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z.object({ secretKeyRef: z.object({ name: z.string(), key: z.string() }) }).optional(),
});
const Container = z.looseObject({
  name: z.string(),
  command: z.array(z.string()).optional(),
  ports: z.array(z.object({ name: z.string(), containerPort: z.number() })).optional(),
  env: z.array(EnvVar),
  readinessProbe: Probe.optional(),
  livenessProbe: Probe.optional(),
  securityContext: z.object({
    allowPrivilegeEscalation: z.literal(false),
    readOnlyRootFilesystem: z.boolean(),
  }),
});
const Deployment = z.object({
  kind: z.literal("Deployment"),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    template: z.object({
      metadata: z.object({ labels: z.record(z.string(), z.string()) }),
      spec: z.looseObject({
        terminationGracePeriodSeconds: z.number(),
        securityContext: z.looseObject({ runAsNonRoot: z.literal(true), runAsUser: z.number() }),
        containers: z.array(Container).length(1),
      }),
    }),
  }),
});
type Deployment = z.infer<typeof Deployment>;
const Service = z.object({
  kind: z.literal("Service"),
  spec: z.object({
    selector: z.record(z.string(), z.string()),
    ports: z.array(z.object({ targetPort: z.string() })),
  }),
});
const Secret = z.object({
  kind: z.literal("Secret"),
  metadata: z.object({ name: z.string() }),
  stringData: z.record(z.string(), z.string()),
});

const manifests = readdirSync(resolve(ROOT, "deploy/k8s"))
  .filter((file) => file.endsWith(".yaml"))
  .flatMap((file) =>
    parseAllDocuments(read(`deploy/k8s/${file}`)).map((doc) => {
      const manifest: unknown = doc.toJS();
      return manifest;
    }),
  );
const deployments = manifests.flatMap((m) => {
  const parsed = Deployment.safeParse(m);
  return parsed.success ? [parsed.data] : [];
});

function deployment(name: string): Deployment {
  const found = deployments.find((d) => d.metadata.name === name);
  if (found === undefined) throw new Error(`no Deployment ${name}`);
  return found;
}

function container(name: string) {
  const [first] = deployment(name).spec.template.spec.containers;
  if (first === undefined) throw new Error(`no container in ${name}`);
  return first;
}

describe("docker-compose.yml", () => {
  // `<<:` merge keys are YAML 1.1, which Docker Compose reads.
  const raw: unknown = parse(read("docker-compose.yml"), { merge: true });
  const compose = Compose.parse(raw);
  const { bot, runner, redis, postgres } = compose.services;

  it("has bot replicas, runners, Redis and PostgreSQL", () => {
    expect(bot?.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(runner?.command).toEqual(["node", "dist/cli/cli.js", "runner"]);
    expect(redis?.command).toEqual(expect.arrayContaining(["--maxmemory-policy", "noeviction"]));
    expect(postgres).toBeDefined();
    expect(Object.keys(bot?.depends_on ?? {}).sort()).toEqual(["postgres", "redis"]);
  });

  it("gives runners the App's key for source tarballs, and no webhook or database secret", () => {
    const names = Object.keys(runner?.environment ?? {});

    expect(names).toEqual(expect.arrayContaining(["APP_ID", "PRIVATE_KEY", "PYLOT_REDIS_URL"]));
    expect(names).not.toEqual(expect.arrayContaining(["WEBHOOK_SECRET"]));
    expect(names).not.toEqual(expect.arrayContaining(["PYLOT_DATABASE_URL"]));
  });

  it("queues jobs on Redis and stores in PostgreSQL", () => {
    const env = bot?.environment ?? {};

    expect(env).toMatchObject({ PYLOT_RUNNER: "queue", PYLOT_REDIS_URL: "redis://redis:6379" });
    expect(env["PYLOT_DATABASE_URL"]).toMatch(/^postgres:\/\/pylot:.*@postgres:5432\/pylot$/);
  });

  it("gives a stopping bot longer than its drain", () => {
    const grace = Number(bot?.environment?.["PYLOT_SHUTDOWN_GRACE_SECONDS"]);

    expect(Number.parseInt(bot?.stop_grace_period ?? "0", 10)).toBeGreaterThan(grace);
  });

  it("sets only variables .env.example documents on Pylot's services", () => {
    const names = [bot, runner].flatMap((s) => Object.keys(s?.environment ?? {}));

    expect(names.filter((name) => !documented.has(name))).toEqual([]);
  });
});

describe("deploy/k8s", () => {
  it("probes the bot: liveness on /healthz, readiness on /readyz, on its http port", () => {
    const bot = container("pylot-bot");

    expect(bot.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(bot.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(bot.ports).toEqual([{ name: "http", containerPort: 3000 }]);
  });

  it("runs the runners with `pylot runner`", () => {
    expect(container("pylot-runner").command).toEqual(
      expect.arrayContaining(["dist/cli/cli.js", "runner"]),
    );
  });

  it("runs every pod as non-root without privilege escalation", () => {
    const users = deployments.map((d) => d.spec.template.spec.securityContext.runAsUser);

    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(["pylot-bot", "pylot-runner"]);
    expect(users.every((uid) => uid > 0)).toBe(true);
  });

  it("gives the bot longer than its drain before it is killed", () => {
    const spec = deployment("pylot-bot").spec.template.spec;
    const grace = container("pylot-bot").env.find((e) => e.name === "PYLOT_SHUTDOWN_GRACE_SECONDS");

    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(Number(grace?.value));
  });

  it("sets only variables .env.example documents", () => {
    const names = deployments.flatMap((d) =>
      d.spec.template.spec.containers.flatMap((c) => c.env.map((e) => e.name)),
    );

    expect(names.filter((name) => !documented.has(name))).toEqual([]);
  });

  it("reads secrets only from keys the example Secret has", () => {
    const secrets = manifests.flatMap((m) => {
      const parsed = Secret.safeParse(m);
      return parsed.success ? [parsed.data] : [];
    });
    const refs = deployments.flatMap((d) =>
      d.spec.template.spec.containers.flatMap((c) =>
        c.env.flatMap((e) => (e.valueFrom === undefined ? [] : [e.valueFrom.secretKeyRef])),
      ),
    );

    const missing = refs.filter(
      (ref) => secrets.find((s) => s.metadata.name === ref.name)?.stringData[ref.key] === undefined,
    );

    expect(refs.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it("routes the Service to the bot pods' http port", () => {
    const service = manifests.map((m) => Service.safeParse(m)).find((p) => p.success)?.data;
    const labels = deployment("pylot-bot").spec.template.metadata.labels;

    expect(service?.spec.selector).toEqual(labels);
    expect(service?.spec.ports.map((p) => p.targetPort)).toEqual(["http"]);
  });
});

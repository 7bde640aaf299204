import { z } from "zod";

/**
 * The contract of `.github/pylot.yml`. Keys are named as users write them (kebab-case); the
 * parsed value keeps those names so error paths and docs match the file. Add keys, never rename.
 */

const version = z
  .string()
  .regex(/^\d+\.\d+$/, 'a Python version such as "3.12"')
  .describe('A Python version, "major.minor"');

const label = z
  .string()
  .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' or '-'")
  .describe("A runner label");

const commandList = z.array(z.string().min(1)).describe("Shell commands, run in order");

/** A file or folder of the repository: relative, and never above its root. */
const repoPath = z
  .string()
  .min(1)
  .refine(
    (path) => !path.startsWith("/") && !path.split(/[/\\]/).includes(".."),
    "a path inside the repository (relative, without ..)",
  );

/** A tool section: `false` disables it, an object enables it with options. */
function toolSection<T extends z.ZodRawShape>(shape: T, description: string) {
  return z.union([z.literal(false), z.strictObject(shape)]).describe(description);
}

const toolArgs = {
  args: z.array(z.string()).default([]).describe("Extra command-line arguments"),
};

const legSelector = z
  .record(z.string(), z.union([z.string(), z.number()]).transform(String))
  .describe('Matrix leg values, e.g. { python: "3.12" }');

export const SEVERITIES = ["none", "low", "medium", "high"] as const;
export const CONFIDENCES = ["low", "medium", "high"] as const;
export const PERMISSIONS = ["read", "triage", "write", "maintain", "admin"] as const;

/** `deploy.<env>.health.timeout`, in seconds. */
export const HEALTH_TIMEOUT_DEFAULT_SECONDS = 60;
export const HEALTH_TIMEOUT_MAX_SECONDS = 600;

const environmentName = z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' or '-'");

export const DeployEnvironmentSchema = z.strictObject({
  run: z.string().min(1).describe("Command run on a runner with the environment's secrets"),
  allow: z.array(z.enum(PERMISSIONS)).default(["write"]).describe("Permissions that may deploy"),
  auto: z
    .strictObject({ branch: z.string().min(1) })
    .optional()
    .describe("Deploy automatically after a green pipeline on this branch"),
  requires: z
    .array(environmentName)
    .default([])
    .describe("Environments that must hold this commit first"),
  url: z
    .string()
    .regex(/^https?:\/\/[^\s<>"'`()[\]]+$/, "an http(s) URL")
    .optional()
    .describe("Where the deployed environment can be seen (the deployment's environment_url)"),
  health: z
    .strictObject({
      url: z
        .string()
        .regex(/^https?:\/\/[^\s<>"'`()[\]]+$/, "an http(s) URL")
        .describe("Polled with GET after the deploy command succeeds; a 2xx answer is healthy"),
      timeout: z
        .number()
        .int()
        .min(1)
        .max(HEALTH_TIMEOUT_MAX_SECONDS)
        .default(HEALTH_TIMEOUT_DEFAULT_SECONDS)
        .describe("Seconds to wait for a 2xx, retries included"),
    })
    .optional()
    .describe(
      "Checked after each deploy: no 2xx within the timeout marks the deployment failed and rolls it back",
    ),
});

export const PylotConfigSchema = z
  .strictObject({
    python: z
      .array(version)
      .min(1)
      .optional()
      .describe("Python versions of the test matrix; default: the runner's default interpreter"),
    os: z.array(label).min(1).default(["linux"]).describe("Runner labels of the test matrix"),
    venv: z
      .strictObject({
        "system-site-packages": z
          .boolean()
          .default(false)
          .describe("Let jobs see packages installed for the interpreter"),
      })
      .default({ "system-site-packages": false }),
    matrix: z
      .strictObject({
        include: z.array(legSelector).default([]).describe("Extra legs, or values added to legs"),
        exclude: z.array(legSelector).default([]).describe("Legs to drop"),
        "fail-fast": z
          .boolean()
          .default(true)
          .describe("Cancel legs not yet started once one fails"),
        "max-parallel": z
          .number()
          .int()
          .positive()
          .optional()
          .describe("Most legs of one pipeline running at once"),
      })
      .default({ include: [], exclude: [], "fail-fast": true }),
    "timeout-minutes": z
      .number()
      .positive()
      .max(24 * 60)
      .default(20)
      .describe("Timeout of each job"),
    install: commandList
      .optional()
      .describe("Install commands; default: install the project when it has packaging metadata"),
    lint: z
      .strictObject({
        flake8: toolSection(toolArgs, "flake8 (false disables)").default({ args: [] }),
        black: toolSection(toolArgs, "black --check (false disables)").default({ args: [] }),
        pylint: toolSection(toolArgs, "pylint (false disables)").default(false),
      })
      .default({ flake8: { args: [] }, black: { args: [] }, pylint: false }),
    typecheck: z
      .strictObject({
        mypy: toolSection(
          { paths: z.array(z.string().min(1)).min(1).default(["."]), ...toolArgs },
          "mypy (false disables)",
        ).default({ paths: ["."], args: [] }),
      })
      .default({ mypy: { paths: ["."], args: [] } }),
    security: z
      .strictObject({
        bandit: toolSection(
          {
            paths: z.array(z.string().min(1)).min(1).default(["."]),
            "fail-on": z
              .enum(SEVERITIES)
              .default("high")
              .describe("Findings at or above this severity fail the job"),
            confidence: z
              .enum(CONFIDENCES)
              .default("medium")
              .describe("Findings below this confidence are ignored"),
            ...toolArgs,
          },
          "bandit (false disables)",
        ).default({ paths: ["."], "fail-on": "high", confidence: "medium", args: [] }),
      })
      .default({
        bandit: { paths: ["."], "fail-on": "high", confidence: "medium", args: [] },
      }),
    test: z
      .strictObject({
        run: z.string().min(1).default("python -m pytest").describe("The test command"),
        coverage: z
          .union([
            z.literal(false),
            z.strictObject({
              minimum: z.number().min(0).max(100).optional().describe("Least total coverage, %"),
              "diff-minimum": z
                .number()
                .min(0)
                .max(100)
                .optional()
                .describe("Least coverage of a PR's changed lines, %"),
              on: legSelector.optional().describe("The leg that measures coverage; default first"),
            }),
          ])
          .default({}),
      })
      .default({ run: "python -m pytest", coverage: {} }),
    build: z
      .strictObject({
        wheel: z.boolean().default(false).describe("Build sdist and wheel"),
        docker: z
          .strictObject({
            file: repoPath.default("Dockerfile").describe("The Dockerfile"),
            context: repoPath.default(".").describe("The build context folder"),
          })
          .optional()
          .describe("Build a container image on a runner with a Docker engine (label docker)"),
      })
      .default({ wheel: false }),
    integration: z
      .strictObject({
        run: z
          .string()
          .min(1)
          .describe("The integration test command, run with the wheel installed"),
        python: z
          .array(version)
          .min(1)
          .optional()
          .describe("Interpreters to test the wheel on; default: the matrix's python list"),
        services: z
          .array(
            z.strictObject({
              name: environmentName.describe("The service's name in logs"),
              start: z.string().min(1).describe("Starts the service; runs in the background"),
              ready: z.string().min(1).describe("Exits 0 once the service accepts work"),
              "timeout-seconds": z
                .number()
                .positive()
                .max(600)
                .default(30)
                .describe("How long `ready` may keep failing"),
            }),
          )
          .default([])
          .describe("Helper processes started around the tests (best effort)"),
      })
      .optional()
      .describe("Tests of the built wheel in a clean venv; needs build.wheel"),
    deploy: z
      .record(environmentName, DeployEnvironmentSchema)
      .default({})
      .describe("Deployment environments"),
  })
  .describe("Pylot configuration (.github/pylot.yml)");

export type PylotConfig = z.infer<typeof PylotConfigSchema>;
export type PylotConfigInput = z.input<typeof PylotConfigSchema>;
export type Severity = (typeof SEVERITIES)[number];
export type Permission = (typeof PERMISSIONS)[number];
export type DeployEnvironment = z.infer<typeof DeployEnvironmentSchema>;
export type HealthCheckConfig = NonNullable<DeployEnvironment["health"]>;

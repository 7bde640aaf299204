import { isRecord, valueAt } from "./describe-value.js";
import {
  clip,
  formatPath,
  listNames,
  quote,
  type Path,
  type Problem,
  type SourceMap,
} from "./errors.js";
import type { DeployEnvironment, PylotConfig } from "./schema.js";
import { suggest } from "./suggest.js";

/**
 * Rules that span keys, which zod cannot express: deploy ordering, and matrix selectors that
 * name axes or values the matrix does not have. Pure: config in, problems out.
 */
export function checkSemantics(
  config: PylotConfig,
  source: Pick<SourceMap, "rawNumber">,
): Problem[] {
  return [
    ...checkRequires(config.deploy),
    ...checkSelectors(config, source),
    ...checkIntegration(config),
  ];
}

/** The integration stage tests the built wheel, so there must be a build that makes one. */
function checkIntegration(config: PylotConfig): Problem[] {
  if (config.integration === undefined || config.build.wheel) return [];
  return [
    {
      path: ["integration"],
      at: "key",
      message: '"integration" tests the built wheel: set "build.wheel: true"',
    },
  ];
}

type Deploy = Readonly<Record<string, DeployEnvironment>>;

function checkRequires(deploy: Deploy): Problem[] {
  const names = Object.keys(deploy);
  const problems: Problem[] = [];
  for (const [env, spec] of Object.entries(deploy)) {
    spec.requires.forEach((required, index) => {
      const path = ["deploy", env, "requires", index];
      const head = `"${formatPath(path)}" is ${quote(required)}`;
      if (required === env) {
        problems.push({
          path,
          at: "value",
          message: `${head}: an environment cannot require itself`,
        });
      } else if (!Object.hasOwn(deploy, required)) {
        const near = suggest(required, names);
        const hint =
          near === undefined ? `; environments: ${listNames(names)}` : ` (did you mean "${near}"?)`;
        const message = `${head}, which is not an environment under "deploy"${hint}`;
        problems.push({ path, at: "value", message });
      }
    });
  }
  return [...problems, ...findCycles(deploy)];
}

/** "a → b → a", or "a → b → c → … → a (40 environments)" for long ones. */
function describeCycle(envs: readonly string[]): string {
  const first = envs[0] ?? "";
  const shown = envs.length > 6 ? [...envs.slice(0, 3), "…"] : envs;
  const suffix = envs.length > 6 ? ` (${envs.length} environments)` : "";
  return `${[...shown, first].map((env) => (env === "…" ? env : clip(env))).join(" → ")}${suffix}`;
}

/** Depth-first search without recursion (the environment list is user input). */
function findCycles(deploy: Deploy): Problem[] {
  const state = new Map<string, "active" | "done">();
  const problems: Problem[] = [];
  for (const root of Object.keys(deploy)) {
    if (state.has(root)) continue;
    state.set(root, "active");
    const trail = [{ env: root, next: 0 }];
    for (let top = trail.at(-1); top !== undefined; top = trail.at(-1)) {
      const requires = deploy[top.env]?.requires ?? [];
      const index = top.next++;
      const required = requires[index];
      if (required === undefined) {
        state.set(top.env, "done");
        trail.pop();
      } else if (required !== top.env && Object.hasOwn(deploy, required)) {
        const seen = state.get(required);
        if (seen === undefined) {
          state.set(required, "active");
          trail.push({ env: required, next: 0 });
        } else if (seen === "active") {
          const cycle = trail.slice(trail.findIndex((t) => t.env === required));
          const path = ["deploy", top.env, "requires", index];
          const message = `"${formatPath(path)}" is ${quote(required)}, which closes a cycle: ${describeCycle(cycle.map((t) => t.env))}; none of them could ever deploy`;
          problems.push({ path, at: "value", message });
        }
      }
    }
  }
  return problems;
}

interface Axes {
  readonly names: readonly string[];
  /** Values each axis takes; undefined when unknown until run time (python by default). */
  readonly values: ReadonlyMap<string, ReadonlySet<string> | undefined>;
}

function axesOf(config: PylotConfig): Axes {
  const include = config.matrix.include;
  const extra = [...new Set(include.flatMap((leg) => Object.keys(leg)))].filter(
    (name) => name !== "python" && name !== "os",
  );
  const names = ["python", "os", ...extra];
  const fromInclude = (axis: string): string[] =>
    include.flatMap((leg) =>
      Object.hasOwn(leg, axis) && leg[axis] !== undefined ? [leg[axis]] : [],
    );
  const values = new Map<string, ReadonlySet<string> | undefined>(
    names.map((axis) => {
      const listed = axis === "python" ? config.python : axis === "os" ? config.os : [];
      return [axis, listed === undefined ? undefined : new Set([...listed, ...fromInclude(axis)])];
    }),
  );
  return { names, values };
}

type Selector = Readonly<Record<string, string>>;

function selectorsOf(config: PylotConfig): { path: Path; selector: Selector }[] {
  const { include, exclude } = config.matrix;
  const coverage = config.test.coverage;
  return [
    ...include.map((selector, i) => ({ path: ["matrix", "include", i], selector })),
    ...exclude.map((selector, i) => ({ path: ["matrix", "exclude", i], selector })),
    ...(coverage !== false && coverage.on !== undefined
      ? [{ path: ["test", "coverage", "on"], selector: coverage.on }]
      : []),
  ];
}

/** `python: 3.10` in a selector silently became "3.1": the text shows what was meant. */
function numberTraps(config: PylotConfig, source: Pick<SourceMap, "rawNumber">): Problem[] {
  return selectorsOf(config).flatMap(({ path, selector }) =>
    Object.entries(selector).flatMap(([axis, value]) => {
      const written = source.rawNumber([...path, axis]);
      if (written === undefined || written === value) return [];
      const at = [...path, axis];
      const what = axis === "python" ? "versions" : "it";
      const form = axis === "python" ? "strings" : "a string";
      const message = `"${formatPath(at)}" is ${value} (a number); write ${what} as ${form}: "${written}"`;
      return [{ path: at, at: "value" as const, message }];
    }),
  );
}

function unknownAxis(path: Path, axis: string, axes: Axes): Problem {
  const near = suggest(axis, axes.names);
  const hint =
    near === undefined ? `; axes: ${listNames(axes.names)}` : ` (did you mean "${near}"?)`;
  const message = `"${formatPath(path)}" uses ${quote(axis)}, which is not a matrix axis${hint}`;
  return { path: [...path, axis], at: "key", message };
}

function unknownValue(path: Path, value: string, known: ReadonlySet<string>): Problem {
  const listed = [...known];
  const axis = String(path[path.length - 1]);
  // An unquoted 3.10 reaches us as "3.1" when the text is not at hand.
  const near =
    axis === "python" ? (known.has(`${value}0`) ? `${value}0` : undefined) : suggest(value, listed);
  const head = `"${formatPath(path)}" is ${quote(value)}`;
  const message =
    near === undefined
      ? `${head}; no leg of the matrix has it (${axis}: ${listNames(listed)}), so coverage would never be measured`
      : `${head} (did you mean "${near}"?); no leg of the matrix has it, so coverage would never be measured`;
  return { path, at: "value", message };
}

const RECORD_PATHS: readonly Path[] = [["deploy"], ["test", "coverage", "on"]];

/**
 * zod silently drops a `__proto__` key from records (it guards the prototype), so a deploy
 * environment or matrix axis of that name would vanish without a word. Checked on the raw value.
 */
export function checkReservedKeys(value: unknown): Problem[] {
  const legs = (name: string): Path[] => {
    const list = valueAt(value, ["matrix", name]);
    return Array.isArray(list) ? list.map((_, i) => ["matrix", name, i]) : [];
  };
  return [...RECORD_PATHS, ...legs("include"), ...legs("exclude")].flatMap((path) => {
    const node = valueAt(value, path);
    if (!isRecord(node) || !Object.hasOwn(node, "__proto__")) return [];
    const message = `"${formatPath(path)}" uses the reserved name "__proto__"; rename it`;
    return [{ path: [...path, "__proto__"], at: "key" as const, message }];
  });
}

function checkSelectors(config: PylotConfig, source: Pick<SourceMap, "rawNumber">): Problem[] {
  const axes = axesOf(config);
  const traps = numberTraps(config, source);
  const trapped = new Set(traps.map((trap) => formatPath(trap.path)));
  const problems: Problem[] = [...traps];
  config.matrix.exclude.forEach((selector, i) => {
    const path = ["matrix", "exclude", i];
    for (const axis of Object.keys(selector)) {
      if (!axes.names.includes(axis)) problems.push(unknownAxis(path, axis, axes));
    }
  });
  const coverage = config.test.coverage;
  const on = coverage === false ? undefined : coverage.on;
  for (const [axis, value] of Object.entries(on ?? {})) {
    const path = ["test", "coverage", "on", axis];
    const known = axes.values.get(axis);
    if (!axes.names.includes(axis)) problems.push(unknownAxis(path.slice(0, -1), axis, axes));
    else if (known !== undefined && !known.has(value) && !trapped.has(formatPath(path))) {
      problems.push(unknownValue(path, value, known));
    }
  }
  return problems;
}

import type { Leg } from "./types.js";

/** The axes every leg has; `matrix.include` may add others. */
const BASE_AXES = ["python", "os"] as const;

export interface MatrixInput {
  readonly python: readonly string[];
  readonly os: readonly string[];
  readonly include: readonly Readonly<Record<string, string>>[];
  readonly exclude: readonly Readonly<Record<string, string>>[];
}

function legValue(leg: Leg, key: string): string | undefined {
  if (key === "python") return leg.python;
  if (key === "os") return leg.os;
  return leg.extra[key];
}

function matches(leg: Leg, selector: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([key, value]) => legValue(leg, key) === value);
}

function isBaseAxis(key: string): key is (typeof BASE_AXES)[number] {
  return (BASE_AXES as readonly string[]).includes(key);
}

function splitEntry(entry: Readonly<Record<string, string>>): {
  base: Record<string, string>;
  extra: Record<string, string>;
} {
  const base: Record<string, string> = {};
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (isBaseAxis(key)) base[key] = value;
    else extra[key] = value;
  }
  return { base, extra };
}

/**
 * Expands python × os, drops `exclude` matches, then applies `include` the way GitHub Actions
 * does: an entry's extra values are added to every leg its base values match without
 * overwriting them; an entry that matches no leg becomes a leg of its own.
 */
export function expandMatrix(input: MatrixInput): Leg[] {
  const product: Leg[] = input.python.flatMap((python) =>
    input.os.map((os): Leg => ({ python, os, extra: {} })),
  );
  const legs = product.filter((leg) => !input.exclude.some((entry) => matches(leg, entry)));
  for (const entry of input.include) {
    const { base, extra } = splitEntry(entry);
    const targets = legs
      .map((leg, index) => ({ leg, index }))
      .filter(({ leg }) => matches(leg, base));
    if (targets.length === 0) {
      legs.push({
        python: base.python ?? input.python[0] ?? "3",
        os: base.os ?? input.os[0] ?? "linux",
        extra,
      });
      continue;
    }
    for (const { leg, index } of targets)
      legs[index] = { ...leg, extra: { ...leg.extra, ...extra } };
  }
  return dedupe(legs);
}

function legId(leg: Leg): string {
  return JSON.stringify([leg.python, leg.os, Object.entries(leg.extra).sort()]);
}

function dedupe(legs: readonly Leg[]): Leg[] {
  const seen = new Set<string>();
  return legs.filter((leg) => {
    const id = legId(leg);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** "3.12, linux" or "3.12, linux, 4.2": the values GitHub Actions shows in a leg's name. */
export function legLabel(leg: Leg): string {
  return [leg.python, leg.os, ...Object.values(leg.extra)].join(", ");
}

/** A key safe in ids and paths: "test-3.12-linux-4.2". */
export function legKey(leg: Leg): string {
  const raw = ["test", leg.python, leg.os, ...Object.values(leg.extra)].join("-");
  return raw.replace(/[^A-Za-z0-9._-]+/g, "_");
}

export function findLeg(
  legs: readonly Leg[],
  selector: Readonly<Record<string, string>>,
): Leg | undefined {
  return legs.find((leg) => matches(leg, selector));
}

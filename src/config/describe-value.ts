import { quote, type Path } from "./errors.js";

/** Reading user values safely (own properties only) and naming them in messages. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isScalar(value: unknown): value is string | number | boolean {
  return ["string", "number", "boolean"].includes(typeof value);
}

/** The value at `path`, or undefined; never follows inherited properties such as `constructor`. */
export function valueAt(value: unknown, path: Path): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === "number") current = current[segment];
    else if (isRecord(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

/** What kind of thing was found: `a string ("pip install .")`, `3.1 (a number)`, `a list`, `empty`. */
export function describeFound(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (ArrayBuffer.isView(value)) return "binary data";
  if (value instanceof Date) return "a date";
  if (typeof value === "string") return `a string (${quote(value)})`;
  if (typeof value === "number") return `${value} (a number)`;
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "boolean") return String(value);
  return `a value of type ${typeof value}`;
}

/** The found value itself (`"hgh"`, `120`), for errors about its content rather than its type. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return describeFound(value);
}

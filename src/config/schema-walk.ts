import { z } from "zod";

/**
 * Reads the zod schema as data, so messages can say what a key allows ("allowed: flake8, black,
 * pylint"; "expected a list of strings") from the one source of truth instead of a copy.
 */

type Schema = z.core.$ZodType;
type Segment = string | number;

/** One wrapper that does not change what a user writes: optional, default, a pipe's input. */
function peel(schema: Schema): Schema | undefined {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) return schema.unwrap();
  if (schema instanceof z.ZodPipe) return schema.in;
  return undefined;
}

/** The schema with every such wrapper removed. */
export function unwrap(schema: Schema): Schema {
  let current = schema;
  for (let inner = peel(current); inner !== undefined; inner = peel(current)) current = inner;
  return current;
}

/** zod types an object's shape loosely (`any` values); every value is a schema. */
function shapeOf(object: z.ZodObject): Readonly<Record<string, Schema>> {
  return object.shape;
}

/** The object form of a schema, looking through unions such as `false | { …options }`. */
export function objectOf(schema: Schema | undefined): z.ZodObject | undefined {
  if (schema === undefined) return undefined;
  const bare = unwrap(schema);
  if (bare instanceof z.ZodObject) return bare;
  if (bare instanceof z.ZodUnion) {
    for (const option of bare.options) {
      const found = objectOf(option);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function childOf(schema: Schema, segment: Segment): Schema | undefined {
  const bare = unwrap(schema);
  if (bare instanceof z.ZodUnion) {
    for (const option of bare.options) {
      const child = childOf(option, segment);
      if (child !== undefined) return child;
    }
    return undefined;
  }
  if (typeof segment === "number") return bare instanceof z.ZodArray ? bare.element : undefined;
  if (bare instanceof z.ZodObject)
    return Object.hasOwn(bare.shape, segment) ? shapeOf(bare)[segment] : undefined;
  if (bare instanceof z.ZodRecord) return bare.valueType;
  return undefined;
}

/** The schema of the value at `path`, if the schema defines one. */
export function schemaAt(root: Schema, path: readonly Segment[]): Schema | undefined {
  let current: Schema | undefined = root;
  for (const segment of path) {
    if (current === undefined) return undefined;
    current = childOf(current, segment);
  }
  return current;
}

/** The keys an object at `path` allows, in declaration order (the order docs list them). */
export function keysAt(root: Schema, path: readonly Segment[]): string[] {
  const object = objectOf(schemaAt(root, path));
  return object === undefined ? [] : Object.keys(object.shape);
}

/**
 * Every key name the schema knows → the dotted paths where it lives ("mypy" →
 * ["typecheck.mypy"]), for keys written at the wrong level. Records appear as `<name>`.
 */
export function keyIndex(root: Schema): Map<string, string[]> {
  const index = new Map<string, string[]>();
  const visit = (schema: Schema, prefix: string, depth: number): void => {
    if (depth > 8) return;
    const bare = unwrap(schema);
    if (bare instanceof z.ZodRecord) visit(bare.valueType, `${prefix}.<name>`, depth + 1);
    if (bare instanceof z.ZodArray) visit(bare.element, prefix, depth + 1);
    const object = objectOf(bare);
    if (object === undefined) return;
    for (const [name, child] of Object.entries(shapeOf(object))) {
      const path = prefix === "" ? name : `${prefix}.${name}`;
      index.set(name, [...(index.get(name) ?? []), path]);
      visit(child, path, depth + 1);
    }
  };
  visit(root, "", 0);
  return index;
}

function isToolSection(options: readonly Schema[]): boolean {
  const [first, second] = options.map(unwrap);
  return (
    options.length === 2 &&
    first instanceof z.ZodLiteral &&
    first.values.has(false) &&
    second instanceof z.ZodObject
  );
}

function pluralOf(element: Schema): string {
  const bare = unwrap(element);
  if (bare instanceof z.ZodString) return "strings";
  if (bare instanceof z.ZodNumber) return "numbers";
  if (bare instanceof z.ZodBoolean) return "booleans";
  if (bare instanceof z.ZodEnum) return `values from: ${bare.options.join(", ")}`;
  if (bare instanceof z.ZodObject || bare instanceof z.ZodRecord) return "mappings";
  return "values";
}

/** "a list of strings", "false to disable it, or a mapping of options ({} for the defaults)". */
export function describeExpected(schema: Schema | undefined): string {
  if (schema === undefined) return "a valid value";
  const bare = unwrap(schema);
  if (bare instanceof z.ZodString) return "a string";
  if (bare instanceof z.ZodNumber)
    return bare.format?.includes("int") === true ? "a whole number" : "a number";
  if (bare instanceof z.ZodBoolean) return "true or false";
  if (bare instanceof z.ZodLiteral) return [...bare.values].map(String).join(" or ");
  if (bare instanceof z.ZodEnum) return `one of: ${bare.options.join(", ")}`;
  if (bare instanceof z.ZodArray) return `a list of ${pluralOf(bare.element)}`;
  if (bare instanceof z.ZodObject)
    return `a mapping with keys: ${Object.keys(bare.shape).join(", ")}`;
  if (bare instanceof z.ZodRecord) return "a mapping (name: value)";
  if (bare instanceof z.ZodUnion) {
    if (isToolSection(bare.options)) {
      return "false to disable it, or a mapping of options ({} for the defaults)";
    }
    return bare.options.map((option) => describeExpected(option)).join(" or ");
  }
  return "a valid value";
}

/** Whether the schema wants a string, or a list of strings (where a number is the classic slip). */
export function expectsString(schema: Schema | undefined): boolean {
  if (schema === undefined) return false;
  const bare = unwrap(schema);
  const element = bare instanceof z.ZodArray ? unwrap(bare.element) : bare;
  return element instanceof z.ZodString;
}

/** Whether the value at this schema is a list (to suggest `[value]` for a lone scalar). */
export function isList(schema: Schema | undefined): boolean {
  return schema !== undefined && unwrap(schema) instanceof z.ZodArray;
}

/** The schema's own description, for "is missing \"run\": the command …" messages. */
export function descriptionOf(schema: Schema | undefined): string | undefined {
  for (let current = schema; current !== undefined; current = peel(current)) {
    const description = z.globalRegistry.get(current)?.description;
    if (description !== undefined) return description;
  }
  return undefined;
}

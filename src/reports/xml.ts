import { XMLParser } from "fast-xml-parser";
import type { Checked } from "./input.js";

/**
 * XML from jobs is hostile until proven otherwise. Before the parser sees a byte, any markup
 * declaration (DOCTYPE, ENTITY) is refused, so no entity can be declared and none expanded;
 * the parser itself runs with entity processing off (the five predefined entities and
 * character references are decoded here, one character each), a nesting cap, and no
 * prototype-polluting names. The parser is lenient about unclosed tags, so a document must
 * also end with its root's closing tag: a truncated report is refused, not half-read.
 */

export type XmlNode = Readonly<Record<string, unknown>>;

export interface XmlOptions {
  /** Element names that may be the document's root. */
  readonly roots: readonly string[];
  /** Elements always read as arrays. */
  readonly arrays: ReadonlySet<string>;
  /** Elements kept as raw text (their content is read by the caller). */
  readonly stopNodes?: readonly string[];
  readonly depth: number;
}

export const ATTR = "@";
export const TEXT = "#text";
export const CDATA = "#cdata";

export function parseXml(
  text: string,
  options: XmlOptions,
): Checked<{ root: string; node: XmlNode }> {
  if (text.trim() === "") return { ok: false, why: "it is empty" };
  const declared = refuseDeclarations(text);
  if (!declared.ok) return declared;
  const root = rootName(text);
  if (root === undefined) return { ok: false, why: "it has no root element" };
  if (!options.roots.includes(root)) {
    return {
      ok: false,
      why: `its root element is <${root}>, not <${options.roots.join("> or <")}>`,
    };
  }
  if (!endsWithRoot(text, root)) {
    return { ok: false, why: `it is truncated (it does not end with </${root}>)` };
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: ATTR,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: CDATA,
    maxNestedTags: options.depth,
    stopNodes: [...(options.stopNodes ?? [])],
    isArray: (name) => options.arrays.has(name),
    attributeValueProcessor: (_name, value) => decodeEntities(value),
  });
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (error: unknown) {
    return { ok: false, why: malformed(error, options.depth) };
  }
  // The root may also be an element read as an array elsewhere (a lone <testsuite>).
  const value: unknown = isNode(parsed) ? parsed[root] : undefined;
  const node: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  return { ok: true, value: { root, node: isNode(node) ? node : {} } };
}

function malformed(error: unknown, depth: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/nested tags/i.test(message)) return `it nests deeper than ${depth} elements`;
  if (/unexpected end|not closed/i.test(message)) return "it is truncated";
  return `it is not well-formed XML (${message.slice(0, 200)})`;
}

/** Scans every `<!` outside comments and CDATA sections: each one is a declaration. */
function refuseDeclarations(text: string): Checked<undefined> {
  let at = text.indexOf("<!");
  while (at !== -1) {
    let end: number;
    if (text.startsWith("<!--", at)) end = closing(text, "-->", at + 4);
    else if (text.startsWith("<![CDATA[", at)) end = closing(text, "]]>", at + 9);
    else if (/^<!DOCTYPE/i.test(text.slice(at, at + 9))) {
      return { ok: false, why: "it declares a DOCTYPE" };
    } else if (/^<!ENTITY/i.test(text.slice(at, at + 8))) {
      return { ok: false, why: "it declares an entity" };
    } else return { ok: false, why: "it contains a markup declaration" };
    if (end === -1) return { ok: false, why: "it is truncated (an unclosed comment or CDATA)" };
    at = text.indexOf("<!", end);
  }
  return { ok: true, value: undefined };
}

function closing(text: string, token: string, from: number): number {
  const at = text.indexOf(token, from);
  return at === -1 ? -1 : at + token.length;
}

/** The first element's name, after the declaration, comments and processing instructions. */
function rootName(text: string): string | undefined {
  let at = 0;
  for (;;) {
    at = text.indexOf("<", at);
    if (at === -1) return undefined;
    if (text.startsWith("<?", at)) at = closing(text, "?>", at);
    else if (text.startsWith("<!--", at)) at = closing(text, "-->", at);
    else return /^<([A-Za-z_][\w.:-]*)/.exec(text.slice(at, at + 200))?.[1];
    if (at === -1) return undefined;
  }
}

function endsWithRoot(text: string, root: string): boolean {
  let end = text.trimEnd();
  while (end.endsWith("-->")) {
    const start = end.lastIndexOf("<!--");
    if (start === -1) return false;
    end = end.slice(0, start).trimEnd();
  }
  const tail = end.slice(-(root.length + 64));
  if (new RegExp(`</${escapeRegex(root)}\\s*>$`).test(tail)) return true;
  // A root with no children at all: `<testsuites/>`.
  const open = end.indexOf(`<${root}`);
  return end.endsWith("/>") && end.indexOf(">", open) === end.length - 1;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const NAMED: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/** XML's predefined entities and character references; anything else stays as written. */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(
    /&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g,
    (whole, name: string) => {
      if (!name.startsWith("#")) return NAMED[name] ?? whole;
      const code = name.startsWith("#x")
        ? parseInt(name.slice(2), 16)
        : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "\uFFFD";
    },
  );
}

export function isNode(value: unknown): value is XmlNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A child that may be one element or several (or text, for elements with no attributes). */
export function children(node: XmlNode, name: string): XmlNode[] {
  const value = node[name];
  const list = Array.isArray(value) ? (value as unknown[]) : value === undefined ? [] : [value];
  return list.map((item) =>
    isNode(item) ? item : typeof item === "string" ? { [TEXT]: item } : {},
  );
}

export function attr(node: XmlNode, name: string): string | undefined {
  const value = node[`${ATTR}${name}`];
  return typeof value === "string" ? value : undefined;
}

/** An element's character data: CDATA sections as written, text with entities decoded. */
export function textOf(node: XmlNode): string {
  const cdata = node[CDATA];
  const sections = Array.isArray(cdata) ? cdata.filter((s) => typeof s === "string") : [cdata];
  const raw = sections.filter((s): s is string => typeof s === "string").join("");
  if (raw !== "") return raw;
  const text = node[TEXT];
  return typeof text === "string" ? decodeEntities(text) : "";
}

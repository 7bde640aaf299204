import { describe, expect, it } from "vitest";
import {
  parseBandit,
  parseCobertura,
  parseCoverageJson,
  parseJunit,
  parseReport,
  REPORT_KINDS,
} from "../../../src/reports/index.js";
import { fixture, fixtureText, ROOT } from "./fixtures.js";

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<coverage><sources><source>&lol3;</source></sources></coverage>`;

const EXTERNAL_ENTITY = `<?xml version="1.0"?>
<!DOCTYPE coverage [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<coverage><sources><source>&xxe;</source></sources></coverage>`;

const deepXml = (depth: number) =>
  `<coverage>${"<a>".repeat(depth)}${"</a>".repeat(depth)}</coverage>`;

describe("hostile XML is refused before it is parsed", () => {
  it.each([
    { name: "billion laughs", xml: BILLION_LAUGHS, why: "it declares a DOCTYPE" },
    { name: "external entity", xml: EXTERNAL_ENTITY, why: "it declares a DOCTYPE" },
    {
      name: "a bare DOCTYPE",
      xml: '<!DOCTYPE coverage SYSTEM "http://example.com/x.dtd"><coverage/>',
      why: "it declares a DOCTYPE",
    },
    {
      name: "a lower-case doctype after a comment",
      xml: "<!-- hi --><!doctype coverage><coverage/>",
      why: "it declares a DOCTYPE",
    },
    {
      name: "a DOCTYPE inside the document",
      xml: '<coverage><sources><!DOCTYPE x [<!ENTITY e "boom">]><source>&e;</source></sources></coverage>',
      why: "it declares a DOCTYPE",
    },
    {
      name: "an entity declaration alone",
      xml: '<coverage><!ENTITY e "boom"></coverage>',
      why: "it declares an entity",
    },
    {
      name: "10,000 nested elements",
      xml: deepXml(10_000),
      why: "it nests deeper than 64 elements",
    },
    {
      name: "an unclosed comment",
      xml: "<coverage><!-- never closed </coverage>",
      why: "it is truncated (an unclosed comment or CDATA)",
    },
    { name: "no XML at all", xml: "hello world", why: "it has no root element" },
    {
      name: "another document",
      xml: "<html><body/></html>",
      why: "its root element is <html>, not <coverage>",
    },
    {
      name: "two roots",
      xml: "<coverage></coverage><coverage></coverage>x",
      why: "it is truncated (it does not end with </coverage>)",
    },
    { name: "nothing", xml: "  \n", why: "it is empty" },
  ])("$name", ({ xml, why }) => {
    const result = parseCobertura(xml, { root: ROOT });

    expect(result).toEqual({ ok: false, reason: `coverage report rejected: ${why}` });
  });

  it("keeps a DOCTYPE quoted in a CDATA section (captured test output) as text", () => {
    const xml = `<testsuite tests="1"><testcase classname="t" name="n"><failure message="m"><![CDATA[<!DOCTYPE html><p>x</p>]]></failure></testcase></testsuite>`;

    const result = parseJunit(xml);

    expect(result.ok && result.value.failing[0]?.details).toBe("<!DOCTYPE html><p>x</p>");
  });

  it("expands no entity but the predefined ones and character references", () => {
    const xml = `<testsuite><testcase classname="a&amp;b" name="&lt;x&gt; &#65;&#x42; &unknown; &#0;"><error message="m"/></testcase></testsuite>`;

    const result = parseJunit(xml);

    expect(result.ok && result.value.failing[0]).toMatchObject({
      classname: "a&b",
      name: "<x> AB &unknown; \uFFFD",
    });
  });

  it("does not let element or attribute names reach Object.prototype", () => {
    const xml = `<testsuite><testcase __proto__="x" constructor="y" classname="c" name="n"/><__proto__ polluted="yes"/></testsuite>`;

    const result = parseJunit(xml);

    expect(result.ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    { name: "cut inside an element", cut: 0.5 },
    { name: "cut between elements", cut: 0.98 },
  ])("refuses a truncated coverage.xml ($name)", ({ cut }) => {
    const text = fixtureText("shop/coverage.xml");
    let end = Math.floor(text.length * cut);
    if (cut > 0.9) end = text.lastIndexOf("</packages>");

    const result = parseCobertura(text.slice(0, end), { root: ROOT });

    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^coverage report rejected: it is truncated/);
  });

  it("refuses a coverage.xml whose <line> elements are malformed", () => {
    const text = fixtureText("okcalc/coverage.xml").replace(
      '<line number="6" hits="1"/>',
      '<line number="6" hits="1"><b/></line>',
    );

    const result = parseCobertura(text, { root: ROOT });

    expect(result).toEqual({
      ok: false,
      reason: "coverage report rejected: it has a malformed <line> element (in okcalc/__init__.py)",
    });
  });
});

describe("hostile bytes", () => {
  const invalidUtf8 = Uint8Array.from([0x3c, 0x63, 0x6f, 0x76, 0xff, 0xfe, 0x3e]);

  it.each(REPORT_KINDS.map((kind) => ({ kind })))("$kind refuses invalid UTF-8", ({ kind }) => {
    const result = parseReport(kind, invalidUtf8);

    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/ rejected: it is not valid UTF-8$/);
  });

  it.each(REPORT_KINDS.map((kind) => ({ kind })))(
    "$kind refuses a report over its size cap",
    ({ kind }) => {
      const big = "x".repeat(2048);

      const result = parseReport(kind, big, {
        limits: { xmlBytes: 1024, jsonBytes: 1024, textBytes: 1024 },
      });

      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(/ rejected: it is larger than 1024 bytes$/);
    },
  );

  it.each(
    REPORT_KINDS.flatMap((kind) =>
      ["\u0000\u0001\u0002", "<<<>>>", "{{{{", "]]>", "%PDF-1.4", "@@ -1 +1 @@\n+x"].map(
        (input) => ({ kind, input }),
      ),
    ),
  )("$kind answers garbage $input with data, never a throw", ({ kind, input }) => {
    const parse = () => parseReport(kind, input, { root: ROOT });

    expect(parse).not.toThrow();
  });
});

describe("hostile JSON", () => {
  it.each([
    {
      name: "10,000 nested arrays",
      json: `${"[".repeat(10_000)}${"]".repeat(10_000)}`,
      why: "it nests deeper than 64 levels",
    },
    {
      name: "a truncated file",
      json: fixtureText("shop/coverage.json").slice(0, 500),
      why: "it is truncated (the JSON ends early)",
    },
    {
      name: "not JSON",
      json: "<coverage/>",
      why: expect.stringMatching(/^it is not valid JSON/) as unknown,
    },
    {
      name: "another shape",
      json: '{"files": [1, 2]}',
      why: expect.stringMatching(/^it does not have the expected shape/) as unknown,
    },
  ])("coverage.json: $name", ({ json, why }) => {
    const result = parseCoverageJson(json, { root: ROOT });

    expect(result.ok).toBe(false);
    const reason = result.ok ? "" : result.reason.replace(/^coverage report rejected: /, "");
    expect(reason).toEqual(why);
  });

  it("reads 50,000 bandit results, each one checked", () => {
    const result = {
      filename: `${ROOT}/pkg/mod.py`,
      line_number: 3,
      issue_severity: "MEDIUM",
      issue_confidence: "HIGH",
      issue_text: "Use of possibly insecure function.",
      test_id: "B307",
      test_name: "eval",
      code: "3 eval(x)\n",
    };
    const results = Array.from({ length: 50_000 }, (_, i) => ({ ...result, line_number: i + 1 }));
    const json = JSON.stringify({ errors: [], results: [...results, { nonsense: true }] });

    const parsed = parseBandit(json, { root: ROOT });

    expect(parsed.ok && parsed.value.length).toBe(50_000);
    expect(parsed.ok && parsed.warnings).toEqual([
      "1 result(s) without the expected fields were skipped",
    ]);
  });

  it("keeps at most the item cap of bandit results and says so", () => {
    const json = fixtureText("vault/bandit.json");

    const parsed = parseBandit(json, { root: ROOT, limits: { items: 1 } });

    expect(parsed.ok && parsed.value.length).toBe(1);
    expect(parsed.ok && parsed.warnings[0]).toMatch(
      /^\d+ result\(s\) beyond the first 1 were left out$/,
    );
  });

  it("refuses a truncated bandit report", () => {
    const bytes = fixture("vault/bandit.json").subarray(0, 300);

    const result = parseBandit(bytes);

    expect(result).toEqual({
      ok: false,
      reason: "bandit report rejected: it is truncated (the JSON ends early)",
    });
  });
});

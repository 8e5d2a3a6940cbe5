import { describe, expect, it } from "vitest";
import { escapeHtml, externalHref, html, pathHref, unsafeRaw } from "./html-template.js";

describe("html", () => {
  it("escapes every interpolated string, in content and in attributes", () => {
    const hostile = `<script>alert("x")</script>' onmouseover='1`;
    const out = html`<a title="${hostile}">${hostile}</a>`.value;
    expect(out).not.toContain("<script>");
    expect(out).not.toContain(`"x"`);
    expect(out).toBe(
      `<a title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;1">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;1</a>`,
    );
  });

  it("inserts nested templates as markup, lists item by item, and nothing for null, undefined and false", () => {
    const items = ["<a>", "b&c"].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe("<ul><li>&lt;a&gt;</li><li>b&amp;c</li></ul>0");
  });

  it("escapes the five characters that matter and nothing else", () => {
    expect(escapeHtml(`&<>"' ümlaut/\\`)).toBe("&amp;&lt;&gt;&quot;&#39; ümlaut/\\");
    expect(unsafeRaw("<b>").value).toBe("<b>");
  });
});

describe("pathHref", () => {
  it("keeps each value one path segment, whatever it contains", () => {
    expect(pathHref("builds", "ceph", "wip/feature", "<x>", 42)).toBe("/builds/ceph/wip%2Ffeature/%3Cx%3E/42/");
    expect(pathHref()).toBe("/");
  });
});

describe("externalHref", () => {
  it("accepts http(s) URLs only, so a javascript: URL never becomes a link", () => {
    expect(externalHref("https://jenkins.ceph.com/job/ceph/1/")).toBe("https://jenkins.ceph.com/job/ceph/1/");
    expect(externalHref("javascript:alert(1)")).toBeUndefined();
    expect(externalHref("data:text/html,<script>")).toBeUndefined();
    expect(externalHref("not a url")).toBeUndefined();
    expect(externalHref("")).toBeUndefined();
    expect(externalHref(null)).toBeUndefined();
  });

  it("drops credentials, which must never appear on a page", () => {
    expect(externalHref("https://admin:secret@1.chacra.ceph.com/repos/ceph/")).toBe("https://1.chacra.ceph.com/repos/ceph/");
  });
});

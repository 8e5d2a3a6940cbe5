import { describe, expect, it } from "vitest";
import { renderPerDayChart, tickStep } from "./per-day-chart.js";

describe("tickStep", () => {
  it("picks 1, 2 or 5 × 10^n so there are at most five gridlines", () => {
    expect([1, 5, 6, 10, 11, 24, 26, 99, 240, 1000].map(tickStep)).toEqual([1, 1, 2, 2, 5, 5, 10, 20, 50, 200]);
  });
});

describe("renderPerDayChart", () => {
  it("draws a stacked bar segment per project and day, leaving out projects with nothing ready", () => {
    const out = renderPerDayChart([
      { day: "2025-06-10", counts: { ceph: 3, kernel: 0 } },
      { day: "2025-06-11", counts: { ceph: 1, "nfs-ganesha": 2 } },
    ]).value;
    expect(out).toContain("<svg");
    expect(out.match(/<rect /g)).toHaveLength(3);
    expect(out).toContain("<title>ceph: 3 on 2025-06-10</title>");
    expect(out).toContain(">06-11</text>");
    expect(out).not.toContain("kernel");
    expect(out).toMatch(/class="swatch series-1"><\/span>nfs-ganesha/);
  });

  it("escapes project names, which come from whoever posts a repo", () => {
    const out = renderPerDayChart([{ day: "2025-06-11", counts: { "<script>alert(1)</script>": 2 } }]).value;
    expect(out).not.toContain("<script>");
    expect(out).toContain("&lt;script&gt;alert(1)&lt;/script&gt;: 2 on 2025-06-11");
  });

  it("says so when nothing became ready", () => {
    expect(renderPerDayChart([{ day: "2025-06-11", counts: {} }]).value).toContain("No repositories became ready in the last 1 days.");
  });
});

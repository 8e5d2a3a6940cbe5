import { describe, expect, it } from "vitest";
import { ChacraNodeSchema, HostSchema, chacraNodeBaseUrl } from "./chacra-node.js";

describe("HostSchema", () => {
  it.each(["2.chacra.ceph.com", "localhost", "127.0.0.1:8081", "[::1]:8081", "chacra_internal.lab", "CHACRA.Example.COM"])("accepts %s", (host) => {
    expect(HostSchema.parse(host)).toBe(host.toLowerCase());
  });

  it.each(["https://chacra.ceph.com", "chacra.ceph.com/", "chacra.ceph.com/health", "", "-bad.example.com", "a..b", "host:port", "user@host", "a b"])(
    "rejects %j",
    (host) => {
      expect(HostSchema.safeParse(host).success).toBe(false);
    },
  );
});

describe("ChacraNodeSchema", () => {
  it("defaults a newly registered node so it is picked first", () => {
    expect(ChacraNodeSchema.parse({ host: "1.chacra.ceph.com" })).toEqual({
      host: "1.chacra.ceph.com",
      url: null,
      last_used: "1970-01-01T00:00:00.000Z",
      last_check: null,
      healthy: true,
      down_count: 0,
      drained: false,
    });
  });

  it("reads shaman's node JSON (Python timestamps)", () => {
    const node = ChacraNodeSchema.parse({
      host: "2.chacra.ceph.com",
      last_used: "2026-08-20 10:00:00.123456",
      last_check: "2026-08-20 09:00:00",
      healthy: false,
      down_count: 3,
    });
    expect(node).toMatchObject({ last_used: "2026-08-20T10:00:00.123Z", healthy: false, down_count: 3 });
  });

  it.each([
    ["a negative down_count", { down_count: -1 }],
    ["a string healthy flag", { healthy: "yes" }],
    ["a non-http url", { url: "ftp://x/" }],
  ])("rejects %s", (_name, override) => {
    expect(ChacraNodeSchema.safeParse({ host: "n.example.com", ...override }).success).toBe(false);
  });

  it("builds the base URL from the scheme and host, or the explicit url", () => {
    expect(chacraNodeBaseUrl({ host: "2.chacra.ceph.com", url: null })).toBe("https://2.chacra.ceph.com/");
    expect(chacraNodeBaseUrl({ host: "127.0.0.1:8081", url: null }, "http")).toBe("http://127.0.0.1:8081/");
    expect(chacraNodeBaseUrl({ host: "x", url: "http://127.0.0.1:9000/chacra" })).toBe("http://127.0.0.1:9000/chacra/");
  });
});

import { describe, expect, it } from "vitest";
import { timeAgo, timestampAgo } from "./time-ago.js";

const now = new Date("2025-06-11T12:00:00Z");
const before = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe("timeAgo", () => {
  it("names the two largest units, singular or plural", () => {
    expect(timeAgo(before(1), now)).toBe("1 second ago");
    expect(timeAgo(before(45), now)).toBe("45 seconds ago");
    expect(timeAgo(before(61), now)).toBe("1 minute, 1 second ago");
    expect(timeAgo(before(2 * 3600 + 5 * 60 + 9), now)).toBe("2 hours, 5 minutes ago");
    expect(timeAgo(before(3 * 86400 + 4 * 3600), now)).toBe("3 days, 4 hours ago");
    expect(timeAgo(before(400 * 86400), now)).toBe("400 days ago");
  });

  it("stops at a zero unit rather than skipping to a smaller one", () => {
    expect(timeAgo(before(86400 + 30), now)).toBe("1 day ago");
  });

  it("calls anything under a second, or slightly in the future, just now", () => {
    expect(timeAgo(now, now)).toBe("just now");
    expect(timeAgo(new Date(now.getTime() + 5000), now)).toBe("just now");
  });
});

describe("timestampAgo", () => {
  it("reads ISO timestamps, zoned or not (shaman stores UTC without a zone)", () => {
    expect(timestampAgo("2025-06-11T11:00:00Z", now)).toBe("1 hour ago");
    expect(timestampAgo("2025-06-11T11:00:00+02:00", now)).toBe("3 hours ago");
    expect(timestampAgo("2025-06-11 11:30:00.123456", now)).toBe("29 minutes, 59 seconds ago");
  });

  it("shows a dash for a missing or unreadable timestamp", () => {
    expect(timestampAgo(null, now)).toBe("—");
    expect(timestampAgo("yesterday", now)).toBe("—");
  });
});

import { describe, expect, it } from "vitest";
import { formatUptime, hoursOf, isTimeZone, offsetMs, splitRange, startOfDay } from "./time-window.js";

const at = (iso: string) => new Date(iso);

describe("time windows", () => {
  it("knows IANA zones", () => {
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });

  it.each([
    ["UTC", "2026-04-06T12:30:00Z", "2026-04-06T00:00:00.000Z"],
    ["Asia/Kolkata", "2026-04-06T12:30:00Z", "2026-04-05T18:30:00.000Z"],
    ["Asia/Kolkata", "2026-04-06T19:00:00Z", "2026-04-06T18:30:00.000Z"],
    ["America/New_York", "2026-04-06T03:00:00Z", "2026-04-05T04:00:00.000Z"],
    // 2026-03-08: New York moves from UTC-5 to UTC-4 at 2 am; the day began at 05:00 UTC.
    ["America/New_York", "2026-03-08T20:00:00Z", "2026-03-08T05:00:00.000Z"],
    ["Asia/Kathmandu", "2026-04-06T00:00:00Z", "2026-04-05T18:15:00.000Z"],
  ])("the day of %s at %s began at %s", (tz, now, expected) => {
    expect(startOfDay(tz, at(now)).toISOString()).toBe(expected);
  });

  it("measures offsets", () => {
    expect(offsetMs("Asia/Kolkata", at("2026-01-01T00:00:00Z"))).toBe(5.5 * 3_600_000);
    expect(offsetMs("America/New_York", at("2026-07-01T00:00:00Z"))).toBe(-4 * 3_600_000);
  });

  it("splits a range into whole hours and partial edges", () => {
    expect(splitRange(at("2026-04-06T10:15:00Z"), at("2026-04-06T13:40:00Z"))).toEqual({
      hours: { start: at("2026-04-06T11:00:00Z"), end: at("2026-04-06T13:00:00Z") },
      edges: [
        { start: at("2026-04-06T10:15:00Z"), end: at("2026-04-06T11:00:00Z") },
        { start: at("2026-04-06T13:00:00Z"), end: at("2026-04-06T13:40:00Z") },
      ],
    });
    expect(splitRange(at("2026-04-06T10:00:00Z"), at("2026-04-06T12:00:00Z"))).toEqual({
      hours: { start: at("2026-04-06T10:00:00Z"), end: at("2026-04-06T12:00:00Z") },
      edges: [],
    });
    expect(splitRange(at("2026-04-06T10:15:00Z"), at("2026-04-06T10:45:00Z")).hours).toBeNull();
    expect(splitRange(at("2026-04-06T10:15:00Z"), at("2026-04-06T10:15:00Z")).edges).toEqual([]);
  });

  it("lists the UTC hours of a range", () => {
    expect(
      hoursOf(at("2026-04-06T10:15:00Z"), at("2026-04-06T12:00:00Z")).map((d) => d.toISOString()),
    ).toEqual(["2026-04-06T10:00:00.000Z", "2026-04-06T11:00:00.000Z"]);
    expect(hoursOf(at("2026-04-06T10:00:00Z"), at("2026-04-07T10:00:00Z"))).toHaveLength(24);
  });

  it("formats uptimes", () => {
    expect(formatUptime((4 * 60 + 32) * 60_000 + 59_000)).toBe("4h 32m");
    expect(formatUptime(30 * 3_600_000)).toBe("30h 0m");
    expect(formatUptime(-5)).toBe("0h 0m");
  });
});

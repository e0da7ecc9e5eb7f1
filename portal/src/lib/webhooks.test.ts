import { describe, expect, it } from "vitest";
import { WEBHOOK_EVENT_TYPES as SERVER_EVENT_TYPES } from "../../../db/webhooks/event-types";
import { checkEndpointUrl, prettyPayload, WEBHOOK_EVENT_TYPES } from "./webhooks";

describe("WEBHOOK_EVENT_TYPES", () => {
  it("lists exactly the event types the server accepts", () => {
    expect([...WEBHOOK_EVENT_TYPES]).toEqual([...SERVER_EVENT_TYPES]);
  });
});

describe("checkEndpointUrl", () => {
  it("accepts https anywhere and http only on localhost", () => {
    expect(checkEndpointUrl("https://example.com/hooks")).toBeNull();
    expect(checkEndpointUrl("  https://example.com:8443/a?b=c  ")).toBeNull();
    expect(checkEndpointUrl("http://localhost:3000/hooks")).toBeNull();
    expect(checkEndpointUrl("http://127.0.0.1:41234/hooks")).toBeNull();
    expect(checkEndpointUrl("http://[::1]:8080/")).toBeNull();
  });

  it("names the problem", () => {
    expect(checkEndpointUrl("")).toBe("required");
    expect(checkEndpointUrl("   ")).toBe("required");
    expect(checkEndpointUrl("example.com/hooks")).toBe("invalid");
    expect(checkEndpointUrl(`https://example.com/${"a".repeat(2048)}`)).toBe("invalid");
    expect(checkEndpointUrl("http://example.com/hooks")).toBe("https");
    expect(checkEndpointUrl("http://10.0.0.5/hooks")).toBe("https");
    expect(checkEndpointUrl("ftp://example.com/")).toBe("https");
  });
});

describe("prettyPayload", () => {
  it("indents JSON and leaves anything else as it is", () => {
    expect(prettyPayload('{"id":"evt_1","data":{"a":1}}')).toBe('{\n  "id": "evt_1",\n  "data": {\n    "a": 1\n  }\n}');
    expect(prettyPayload("not json")).toBe("not json");
  });
});

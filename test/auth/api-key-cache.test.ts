import { afterEach, describe, expect, it, vi } from "vitest";
import { createApiKeyCache } from "../../server/auth/api-key-cache";

const key = (id: string) => ({ id, accountId: `acc_${id}`, scopes: ["usage:write"], spendLimited: false });

afterEach(() => vi.useRealTimers());

describe("createApiKeyCache", () => {
  it("returns a cached key until its TTL passes", () => {
    vi.useFakeTimers();
    const cache = createApiKeyCache(5_000);
    cache.set("h1", key("k1"));
    expect(cache.get("h1")).toEqual(key("k1"));
    vi.advanceTimersByTime(5_001);
    expect(cache.get("h1")).toBeUndefined();
  });

  it("evict(id) forgets the key at once (revocation on this instance)", () => {
    const cache = createApiKeyCache(5_000);
    cache.set("h1", key("k1"));
    cache.set("h2", key("k2"));
    cache.evict("k1");
    expect(cache.get("h1")).toBeUndefined();
    expect(cache.get("h2")).toEqual(key("k2"));
  });

  it("keeps at most maxEntries, dropping the oldest; TTL 0 caches nothing", () => {
    const cache = createApiKeyCache(5_000, 2);
    cache.set("h1", key("k1"));
    cache.set("h2", key("k2"));
    cache.set("h3", key("k3"));
    expect(cache.get("h1")).toBeUndefined();
    expect(cache.get("h3")).toEqual(key("k3"));
    const off = createApiKeyCache(0);
    off.set("h1", key("k1"));
    expect(off.get("h1")).toBeUndefined();
  });
});

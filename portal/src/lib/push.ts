/**
 * Web Push in this browser: the service worker (src/service-worker.ts, registered by
 * SvelteKit) shows what the server sends; this module asks for permission, subscribes
 * with the server's VAPID key and tells the server (POST /push-subscriptions).
 */
import { removePushDevice, subscribePush } from "./api";

/** Where this browser stands: no Push API, the user blocked notifications, or able to subscribe. */
export type PushSupport = "unsupported" | "denied" | "available";

export function pushSupport(): PushSupport {
  if (typeof window === "undefined" || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return "unsupported";
  }
  return Notification.permission === "denied" ? "denied" : "available";
}

/** This browser's current push subscription, if any (its endpoint identifies it on the server). */
export async function currentSubscription(): Promise<PushSubscription | null> {
  if (pushSupport() === "unsupported") return null;
  const registration = await navigator.serviceWorker.getRegistration();
  return (await registration?.pushManager.getSubscription()) ?? null;
}

/**
 * Asks for permission, subscribes with `publicKey` (base64url VAPID key) and registers the
 * subscription on the server. Resolves false when the user does not allow notifications.
 * @throws the push service's or the server's error (shown to the user)
 */
export async function enablePush(publicKey: string): Promise<boolean> {
  if ((await Notification.requestPermission()) !== "granted") return false;
  const registration = await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64url(publicKey) }));
  await subscribePush(subscription.toJSON() as Parameters<typeof subscribePush>[0]);
  return true;
}

/** Removes a device on the server; when it is this browser, unsubscribes it at the push service too. */
export async function disablePush(deviceId: string, isThisBrowser: boolean): Promise<void> {
  await removePushDevice(deviceId);
  if (isThisBrowser) await (await currentSubscription())?.unsubscribe();
}

function fromBase64url(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

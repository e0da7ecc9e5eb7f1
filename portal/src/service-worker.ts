/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />

/**
 * The portal's service worker: only Web Push (no caching; the portal is always loaded
 * fresh). Shows each message the server sends (server/notifications/messages.ts
 * PushMessage: title, body, url, tag) and opens its url on click.
 */
const sw = self as unknown as ServiceWorkerGlobalScope;

interface PushMessage {
  title: string;
  body: string;
  url: string;
  tag: string;
}

sw.addEventListener("install", () => void sw.skipWaiting());
sw.addEventListener("activate", (event) => event.waitUntil(sw.clients.claim()));

sw.addEventListener("push", (event) => {
  const message = event.data?.json() as PushMessage | undefined;
  if (!message) return;
  event.waitUntil(sw.registration.showNotification(message.title, { body: message.body, tag: message.tag, data: { url: message.url } }));
});

sw.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data as { url?: string } | null)?.url ?? "/";
  event.waitUntil(sw.clients.openWindow(url));
});

/**
 * The page's service worker: makes the page installable and shows the Web Push messages
 * the sender Lambda encrypts for this browser (ghela_cloud/notify/sender.py). The payload
 * is {title, body}; anything else is shown as a plain notice, never run.
 */

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let message = { title: "Ghelamco Alert", body: "" };
  try {
    const data = event.data ? event.data.json() : {};
    if (typeof data.title === "string") message.title = data.title.slice(0, 200);
    if (typeof data.body === "string") message.body = data.body.slice(0, 1000);
  } catch {
    message.body = "A notification arrived that could not be read.";
  }
  event.waitUntil(self.registration.showNotification(message.title, { body: message.body, icon: "icons/lamp.svg", tag: "ghela" }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow("./"));
});

// Web Push on this device: permission is asked only after she taps "Bật thông báo";
// the subscription goes to the server, which pushes returns, approvals, urgent cases and
// reminders. Where push is refused or missing, the in-app list has the same messages.
import { api } from "./api.js";

const b64urlToBytes = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")
  + "=".repeat((4 - (text.length % 4)) % 4)), (c) => c.charCodeAt(0));

function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

export async function pushState() {
  if (!pushSupported()) return "unsupported";
  if (Notification.permission === "denied") return "denied";
  const registration = await navigator.serviceWorker.ready;
  return (await registration.pushManager.getSubscription()) ? "on" : "off";
}

// Call only from a tap: browsers ignore permission requests without a user gesture.
export async function enablePush() {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return "denied";
  const { public_key: key } = await api("/api/push/vapid-public-key");
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true, applicationServerKey: b64urlToBytes(key) });
  await api("/api/push/subscriptions", { method: "POST", body: subscription.toJSON() });
  return "on";
}

export async function disablePush() {
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return;
  await api("/api/push/subscriptions", { method: "DELETE", body: { endpoint: subscription.endpoint } });
  await subscription.unsubscribe();
}

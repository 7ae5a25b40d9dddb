// The phone's vault for incident records: a random data key (AES-GCM) that encrypts
// their drafts and queued copies in IndexedDB. The key is stored only wrapped: once under
// a key derived from her PIN (PBKDF2, many iterations), once under a recovery secret the
// server gives a signed-in session. Five wrong PINs lock the PIN out; signing in online
// unwraps the key with the recovery secret, so unsent work is never lost. In memory the
// key lives only while unlocked (the page; the service worker never has it).
import { api } from "./api.js";
import { kv } from "./db.js";

const ITERATIONS = 310000;
export const MAX_TRIES = 5;
const enc = new TextEncoder();
const dec = new TextDecoder();
let dataKey = null;
let owner = "";

// Each signed-in user of the phone has her own vault.
export function setOwner(username) {
  if (username !== owner) dataKey = null;
  owner = username || "";
}
const slot = () => `vault:${owner}`;

const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export class VaultLocked extends Error {}

async function pinKey(pin, salt, iterations) {
  const base = await crypto.subtle.importKey("raw", enc.encode(pin), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey({ name: "PBKDF2", salt, iterations, hash: "SHA-256" }, base,
    { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

async function aesKey(raw) {
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

async function seal(key, bytes) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, bytes);
  return b64([...iv, ...new Uint8Array(ct)]);
}

async function open(key, text) {
  const data = unb64(text);
  return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: data.slice(0, 12) }, key, data.slice(12)));
}

// The server gives the recovery secret only against her password (not a session alone).
async function recoveryKey(password) {
  const { key } = await api("/api/auth/recovery-key", { method: "POST", body: { password } });
  return aesKey(unb64(key));
}

export async function state() {
  const vault = await kv.get(slot());
  if (!vault) return "none";
  if (vault.locked_out) return "locked_out";
  return dataKey ? "open" : "locked";
}

export function isOpen() {
  return dataKey !== null;
}

async function wrap(raw, pin, password) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const wrapped_recovery = await seal(await recoveryKey(password), raw);
  const wrapped_pin = await seal(await pinKey(pin, salt, ITERATIONS), raw);
  await kv.set(slot(), { salt: b64(salt), iterations: ITERATIONS, wrapped_pin, wrapped_recovery,
    failures: 0, locked_out: false });
  dataKey = await aesKey(raw);
}

// First PIN (needs the network once, for the recovery secret).
export async function setPin(pin, password) {
  await wrap(crypto.getRandomValues(new Uint8Array(32)), pin, password);
}

export async function unlock(pin) {
  const vault = await kv.get(slot());
  if (!vault || vault.locked_out) return { ok: false, lockedOut: Boolean(vault?.locked_out) };
  try {
    const raw = await open(await pinKey(pin, unb64(vault.salt), vault.iterations), vault.wrapped_pin);
    dataKey = await aesKey(raw);
    await kv.set(slot(), { ...vault, failures: 0 });
    return { ok: true };
  } catch {
    const failures = (vault.failures || 0) + 1;
    const lockedOut = failures >= MAX_TRIES;
    await kv.set(slot(), { ...vault, failures, locked_out: lockedOut });
    return { ok: false, lockedOut, left: MAX_TRIES - failures };
  }
}

// After five wrong PINs and a fresh online sign-in: the same key, a new PIN.
export async function recover(newPin, password) {
  const vault = await kv.get(slot());
  const raw = await open(await recoveryKey(password), vault.wrapped_recovery);
  await wrap(raw, newPin, password);
}

export function lock() {
  dataKey = null;
}

export async function sealJson(value) {
  if (!dataKey) throw new VaultLocked();
  return seal(dataKey, enc.encode(JSON.stringify(value)));
}

export async function openJson(text) {
  if (!dataKey) throw new VaultLocked();
  return JSON.parse(dec.decode(await open(dataKey, text)));
}

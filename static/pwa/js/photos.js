// Photos taken or picked on the phone: downscaled to at most 1600 px on the longest
// side, JPEG, hashed (SHA-256 names them on the server) and kept in IndexedDB until sent.
import { get, put } from "./db.js";

const MAX_SIDE = 1600;
const QUALITY = 0.82;

async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function downscale(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
  bitmap.close?.();
  const blob = await new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("toBlob failed"))), "image/jpeg", QUALITY));
  return { blob, width, height };
}

// Downscale, hash and store one photo; its hash goes into the record.
export async function addPhoto(file) {
  const { blob, width, height } = await downscale(file);
  const sha256 = await sha256Hex(blob);
  if (!(await get("photos", sha256))) {
    await put("photos", { sha256, blob, type: "image/jpeg", width, height, uploaded: false });
  }
  return sha256;
}

export async function photoUrl(sha256) {
  const photo = await get("photos", sha256);
  return photo ? URL.createObjectURL(photo.blob) : `/api/attachments/${sha256}`;
}

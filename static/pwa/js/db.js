// The only module that opens IndexedDB. Stores:
//   kv       small settings: the signed-in user, CSRF token, sync cursor, last sync…
//   forms    form definitions, key [form, version]
//   records  every record on this phone (drafts, outbox, sent, returned…), key uuid
//   photos   downscaled photos as Blobs, key sha256
// Never await the network inside a transaction: each helper opens, does, and closes.
const NAME = "cslp";
const VERSION = 1;
let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = (event) => {
        const db = request.result;
        switch (event.oldVersion) {
          case 0: {
            db.createObjectStore("kv");
            db.createObjectStore("forms", { keyPath: ["form", "version"] });
            const records = db.createObjectStore("records", { keyPath: "uuid" });
            records.createIndex("owner", "owner");
            db.createObjectStore("photos", { keyPath: "sha256" });
          }
          // later versions: add `case 1:` below and fall through.
        }
      };
      request.onsuccess = () => {
        request.result.onversionchange = () => request.result.close();
        resolve(request.result);
      };
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("IndexedDB upgrade blocked by another tab"));
    });
    opening.catch(() => { opening = null; });
  }
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function store(name, mode = "readonly") {
  const db = await openDb();
  return db.transaction(name, mode).objectStore(name);
}

export async function get(name, key) {
  return done((await store(name)).get(key));
}

export async function put(name, value, key) {
  const s = await store(name, "readwrite");
  const request = key === undefined ? s.put(value) : s.put(value, key);
  // Committed now, not when the page next gets to run: a write begun as the page goes
  // away (pagehide, a draft's last keys) still reaches the disk.
  s.transaction.commit?.();
  await done(request);
  return value;
}

// Several values into one store, in one transaction; resolves once it is committed.
export async function putAll(name, values) {
  const s = await store(name, "readwrite");
  for (const value of values) s.put(value);
  s.transaction.commit?.();
  return new Promise((resolve, reject) => {
    s.transaction.oncomplete = () => resolve();
    s.transaction.onerror = () => reject(s.transaction.error);
    s.transaction.onabort = () => reject(s.transaction.error);
  });
}

export async function remove(name, key) {
  return done((await store(name, "readwrite")).delete(key));
}

export async function all(name, index, query) {
  const s = await store(name);
  return done(index ? s.index(index).getAll(query) : s.getAll());
}

// Read-modify-write of one value in a single transaction (no lost updates between the
// page and the service worker).
export async function update(name, key, change) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(name, "readwrite");
    const s = tx.objectStore(name);
    const request = s.get(key);
    let result;
    request.onsuccess = () => {
      result = change(request.result);
      if (result !== undefined) s.put(result);
    };
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export const kv = {
  get: (key) => get("kv", key),
  set: (key, value) => put("kv", value, key),
  remove: (key) => remove("kv", key),
};

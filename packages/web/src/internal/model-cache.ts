import type { CheckpointManifest } from '@duncan-mri/core';

/** One cached checkpoint in IndexedDB, keyed by the manifest's absolute URL. */
export interface CachedModel {
  readonly url: string;
  readonly version: string;
  readonly manifest: CheckpointManifest;
  readonly weights: ArrayBuffer;
}

export const DATABASE = 'duncan-mri';
export const STORE = 'models';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Opens the cache, or resolves `undefined` where IndexedDB is missing or refused (private mode). */
export async function openCache(): Promise<IDBDatabase | undefined> {
  const idb = globalThis.indexedDB;
  if (idb === undefined) return undefined;
  try {
    const open = idb.open(DATABASE, 1);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(STORE)) {
        open.result.createObjectStore(STORE, { keyPath: 'url' });
      }
    };
    return await request(open);
  } catch {
    return undefined;
  }
}

export async function readCached(db: IDBDatabase, url: string): Promise<CachedModel | undefined> {
  try {
    const tx = db.transaction(STORE, 'readonly');
    const value = (await request(tx.objectStore(STORE).get(url))) as CachedModel | undefined;
    return value !== undefined && value.weights instanceof ArrayBuffer ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Stores a checkpoint; a full quota or a refused write leaves the cache as it was. */
export async function writeCached(db: IDBDatabase, entry: CachedModel): Promise<boolean> {
  try {
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(entry);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return true;
  } catch {
    return false;
  }
}

export async function clearCached(db: IDBDatabase, url?: string): Promise<void> {
  const tx = db.transaction(STORE, 'readwrite');
  const store = tx.objectStore(STORE);
  if (url === undefined) store.clear();
  else store.delete(url);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

/**
 * The version of a manifest's text: SHA-256 where `crypto.subtle` exists (secure contexts),
 * else FNV-1a 32-bit with the length. A manifest holds the config, the optimiser steps and the
 * shape of every array, so a retrained or re-exported model gets a new version.
 */
export async function manifestVersion(text: string): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  const sha256 = await sha256Hex(bytes);
  if (sha256 !== undefined) return `sha256:${sha256}`;
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return `fnv1a:${h.toString(16).padStart(8, '0')}:${bytes.length}`;
}

/** SHA-256 of `bytes` as lower-case hex, or undefined where `crypto.subtle` is missing (insecure contexts). */
export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) return undefined;
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

import { createGunzip, type Gunzip } from 'node:zlib';

/**
 * Output chunk of the worker's batch inflater. zlib's default of 16 KiB cuts
 * a 4 MiB batch into 256 pieces, each a trip through every stream after it
 * (hash, line count, COPY, a socket write); 256 KiB pieces measured about a
 * third of the CPU per batch.
 */
export const INFLATE_CHUNK_BYTES = 256 * 1024;

/** A gunzip stream for one stored batch. */
export function createBatchGunzip(): Gunzip {
  return createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
}

// .npz (np.savez, np.savez_compressed): a zip of .npy files, one per array. The archive is
// streamed by fflate's Unzip (stored and deflated members), and the chosen member's bytes are
// handed to the .npy reader as they are decompressed. `file.npz:name` picks the array `name`
// (np.savez's positional arrays are arr_0, arr_1...); without a name the archive must hold one array.
import { createReadStream } from 'node:fs';
import { Unzip, UnzipInflate } from 'fflate';
import { CliError } from '../errors.js';
import { ByteStream } from './bytes.js';

/** The arrays of an archive, in order (one pass over it without decompressing anything). */
async function memberNames(path: string): Promise<string[]> {
  const names: string[] = [];
  const unzip = new Unzip((file) => names.push(file.name.replace(/\.npy$/, '')));
  unzip.register(UnzipInflate);
  try {
    for await (const block of createReadStream(path, { highWaterMark: 1 << 20 })) unzip.push(block as Uint8Array);
    unzip.push(new Uint8Array(0), true);
  } catch (e) {
    throw new CliError(`${path}: not a valid .npz (zip) archive (${(e as Error).message})`);
  }
  return names;
}

async function* memberBytes(path: string, member: string): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = [];
  const names: string[] = [];
  let found = false;
  let done = false;
  let failure: Error | null = null;
  const unzip = new Unzip((file) => {
    const name = file.name.replace(/\.npy$/, '');
    names.push(name);
    if (found || name !== member) return;
    found = true;
    file.ondata = (error, data, final) => {
      if (error) failure = error;
      else if (data.length > 0) queue.push(data);
      if (final) done = true;
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const block of raw) {
      try {
        unzip.push(block as Uint8Array);
      } catch (e) {
        throw new CliError(`${path}: not a valid .npz (zip) archive (${(e as Error).message})`);
      }
      if (failure) throw new CliError(`${path}:${member}: corrupt compressed data (${(failure as Error).message})`);
      while (queue.length > 0) yield queue.shift()!;
      if (done) return;
    }
    unzip.push(new Uint8Array(0), true);
    while (queue.length > 0) yield queue.shift()!;
    if (!found) throw new CliError(`${path}: no array '${member}' (arrays: ${names.join(', ') || 'none'}); name one as ${path}:NAME`);
  } finally {
    raw.destroy();
  }
}

export async function openNpzMember(path: string, member: string | undefined): Promise<ByteStream> {
  if (member === undefined) {
    const names = await memberNames(path);
    if (names.length !== 1) throw new CliError(`${path}: holds ${names.length} arrays (${names.join(', ') || 'none'}); name one as ${path}:NAME`);
    member = names[0];
  }
  return new ByteStream(`${path}:${member}`, memberBytes(path, member));
}

// `node scripts/fetch-node.mjs 24` prints the path of a Node 24 binary, fetched once from the npm
// registry (the `node-<platform>-<arch>` packages that the `node` package installs from: a plain
// tarball with bin/node) and kept in ~/.cache/losskit/node/<version>/ (LOSSKIT_NODE_CACHE to change),
// outside the repository. Used by .ci/run to run the tests on a second Node; for a developer:
//   PATH="$(dirname "$(node scripts/fetch-node.mjs 24)"):$PATH" npm test
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const major = process.argv[2];
if (!/^\d+$/.test(major ?? '')) {
  console.error('usage: node scripts/fetch-node.mjs <major version>, e.g. 24');
  process.exit(2);
}
const cache = process.env.LOSSKIT_NODE_CACHE ?? join(homedir(), '.cache', 'losskit', 'node');
const platform = process.platform === 'win32' ? 'win' : process.platform;
const binary = process.platform === 'win32' ? 'node.exe' : join('bin', 'node');

/** Newest cached version of this major, if any (so that a second run needs no network). */
function cached() {
  if (!existsSync(cache)) return undefined;
  const versions = readdirSync(cache)
    .filter((v) => v.startsWith(`${major}.`) && existsSync(join(cache, v, binary)))
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
  return versions[0];
}

let version = cached();
if (version === undefined) {
  mkdirSync(cache, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const packed = JSON.parse(
    execFileSync(npm, ['pack', `node-${platform}-${process.arch}@${major}`, '--json', '--pack-destination', cache], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
  )[0];
  version = packed.version;
  const tarball = join(cache, packed.filename);
  const staging = join(cache, `.${version}-${process.pid}`);
  mkdirSync(staging, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', staging]);
  rmSync(tarball);
  // Renamed into place whole, so that an interrupted fetch never looks cached.
  rmSync(join(cache, version), { recursive: true, force: true });
  renameSync(join(staging, 'package'), join(cache, version));
  rmSync(staging, { recursive: true, force: true });
}
console.log(join(cache, version, binary));

// The Chromium the browser tests drive with playwright-core, so that `npm install && npm test` is
// all a machine needs:
//   1. CHROMIUM_PATH, when set (a missing file is an error, not a fallback);
//   2. Debian's /usr/bin/chromium, when present (preferred: the distribution keeps it patched);
//   3. else the Chromium that ships inside the npm package @sparticuz/chromium (a devDependency:
//      a self-contained headless build, brotli-compressed in the package; nothing is downloaded
//      beyond `npm install`). It is unpacked once per version into the temporary folder.
// LOSSKIT_CHROMIUM=npm skips 1 and 2 (how the fallback is tested on a machine that has Debian's
// Chromium); LOSSKIT_CHROMIUM=system refuses the fallback.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/** Where @sparticuz/chromium is installed and its version. */
function npmChromiumPackage(): { dir: string; version: string } {
  // Its `exports` has no ./package.json: walk up from its entry point.
  let dir = dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium'));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== '@sparticuz/chromium') {
    if (dirname(dir) === dir) throw new Error('launchBrowser: cannot find the package.json of @sparticuz/chromium');
    dir = dirname(dir);
  }
  return { dir, version: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version };
}

/**
 * The unpacked Chromium of @sparticuz/chromium. Its executablePath() unpacks into the temporary
 * folder and reuses whatever is already there (any version, even half-written), so it runs in a
 * child process whose TMPDIR is a folder of this version's own; a lock (mkdir is atomic) keeps two
 * test processes from unpacking at once, and a marker written last tells a complete folder.
 */
async function npmChromium(): Promise<string> {
  const { version } = npmChromiumPackage();
  const dir = join(tmpdir(), `losskit-chromium-${version}`);
  const done = join(dir, 'unpacked');
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (existsSync(done)) return readFileSync(done, 'utf8');
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (Date.now() > deadline) throw new Error(`launchBrowser: ${lock} is still held after 3 minutes; remove it if no test is running`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (existsSync(done)) return readFileSync(done, 'utf8');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const script = "import('@sparticuz/chromium').then(async (m) => process.stdout.write(await m.default.executablePath()))";
    const unpack = spawnSync(process.execPath, ['-e', script], { cwd: fileURLToPath(new URL('.', import.meta.url)), env: { ...process.env, TMPDIR: dir }, encoding: 'utf8' });
    if (unpack.status !== 0 || !unpack.stdout.startsWith(dir)) {
      throw new Error(`launchBrowser: unpacking @sparticuz/chromium ${version} failed: ${unpack.stderr || unpack.stdout}`);
    }
    writeFileSync(done, unpack.stdout);
    return unpack.stdout;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The Chromium the tests use and where it comes from (see the top of this file). */
export async function chromiumExecutable(): Promise<{ path: string; source: string }> {
  const choice = process.env.LOSSKIT_CHROMIUM;
  switch (choice) {
    case undefined:
    case '':
    case 'system': {
      const configured = process.env.CHROMIUM_PATH;
      if (configured) {
        if (!existsSync(configured)) throw new Error(`launchBrowser: CHROMIUM_PATH is ${configured}, which does not exist`);
        return { path: configured, source: 'CHROMIUM_PATH' };
      }
      if (existsSync(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, source: 'system' };
      if (choice === 'system') throw new Error(`launchBrowser: LOSSKIT_CHROMIUM=system but there is no ${SYSTEM_CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
      return { path: await npmChromium(), source: '@sparticuz/chromium' };
    }
    case 'npm':
      return { path: await npmChromium(), source: '@sparticuz/chromium' };
    default:
      throw new Error(`launchBrowser: LOSSKIT_CHROMIUM is '${choice}'; expected 'system' or 'npm' (or unset)`);
  }
}

/** A headless Chromium, the first of CHROMIUM_PATH, Debian's, the npm package's; `source` says which. */
export async function launchBrowser(): Promise<{ browser: Browser; source: string }> {
  const { path, source } = await chromiumExecutable();
  return { browser: await chromium.launch({ executablePath: path, args: ARGS }), source: `${source} (${path})` };
}

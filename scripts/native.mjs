// Keeps two builds of better-sqlite3-multiple-ciphers side by side: the Node build in
// node_modules (tests, CLI, benchmarks) and an Electron build in .electron-native/ (the app).
// Invariant: `electron` never writes into node_modules, and `check` leaves a Node build that
// loads under this Node or exits non-zero saying why.
//
//   node scripts/native.mjs check     verify (and if need be rebuild) the Node build
//   node scripts/native.mjs electron  build the Electron copy; a no-op when it is up to date
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const packageName = 'better-sqlite3-multiple-ciphers';
const packageDir = join(projectRoot, 'node_modules', packageName);
const nativeFileName = 'better_sqlite3.node';
const electronNativeDir = join(projectRoot, '.electron-native');
const electronNativeFile = join(electronNativeDir, nativeFileName);
const stampFile = join(electronNativeDir, 'stamp.json');
const electronHeadersUrl = 'https://electronjs.org/headers';
// The cache @electron/rebuild uses too, so headers fetched by either tool serve both.
const electronHeadersCache = join(homedir(), '.electron-gyp');
const nodeGypScript = join(projectRoot, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');

class NativeFailure extends Error {}

function say(line) {
  process.stdout.write(`native: ${line}\n`);
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function lastLines(text, count) {
  return text.trim().split('\n').slice(-count).join('\n');
}

/**
 * npm exports its config to scripts as npm_config_* variables, and node-gyp lets those override
 * its command line — a `nodedir` or `target` there would silently build for the wrong runtime.
 * Only settings about reaching the network and finding the toolchain are passed on.
 */
function cleanEnvironment(keepNames) {
  const environment = {};
  for (const [name, value] of Object.entries(process.env)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('npm_package_config_node_gyp_')) continue;
    if (lower.startsWith('npm_config_') && !keepNames.includes(lower.slice('npm_config_'.length)))
      continue;
    environment[name] = value;
  }
  return environment;
}

const networkAndToolchainSettings = [
  'proxy',
  'https_proxy',
  'http_proxy',
  'noproxy',
  'no_proxy',
  'cafile',
  'python',
  'msvs_version',
  'make',
];

// ---------------------------------------------------------------------------------------------
// check: the Node build

/**
 * Loads the module in a child process: a library that failed to load for the wrong ABI stays
 * cached in this process, so a retry after rebuilding must happen in a fresh one.
 */
function probeNodeBuild() {
  const probe = [
    "const { createRequire } = require('node:module');",
    `const load = createRequire(${JSON.stringify(join(projectRoot, 'package.json'))});`,
    `const Database = load(${JSON.stringify(packageName)});`,
    "new Database(':memory:').close();",
  ].join('\n');
  const result = spawnSync(process.execPath, ['-e', probe], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: cleanEnvironment([]),
  });
  if (result.status === 0) return { loads: true, reason: '' };
  const output = `${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  const reasonLine =
    output.split('\n').find((line) => /NODE_MODULE_VERSION|Cannot find module|Error:/.test(line)) ??
    lastLines(output, 1);
  return { loads: false, reason: reasonLine.trim() };
}

function rebuildNodeBuild() {
  const npmCli = process.env.npm_execpath;
  const command =
    npmCli && npmCli.endsWith('.js')
      ? process.execPath
      : process.platform === 'win32'
        ? 'npm.cmd'
        : 'npm';
  const args = [...(command === process.execPath ? [npmCli] : []), 'rebuild', packageName];
  // Keep the user's npm config (a nodedir for offline Node headers, say) but drop anything that
  // points node-gyp at another runtime.
  const environment = { ...process.env };
  for (const name of Object.keys(environment)) {
    if (
      /^npm_config_(target|runtime|dist_url|disturl|arch|target_arch|devdir|tarball)$/i.test(name)
    )
      delete environment[name];
  }
  return spawnSync(command, args, {
    cwd: projectRoot,
    encoding: 'utf8',
    env: environment,
    shell: process.platform === 'win32' && command !== process.execPath,
  });
}

function check() {
  const abi = `Node ${process.version} (ABI ${process.versions.modules})`;
  const first = probeNodeBuild();
  if (first.loads) {
    say(`the Node build of ${packageName} loads under ${abi}; nothing to do`);
    return;
  }
  const rebuild = rebuildNodeBuild();
  const second = probeNodeBuild();
  if (second.loads) {
    say(
      `the Node build of ${packageName} did not load (${first.reason}); rebuilt it for ${abi} and it loads now`,
    );
    return;
  }
  const output = `${rebuild.stdout ?? ''}${rebuild.stderr ?? ''}`;
  throw new NativeFailure(
    `the Node build of ${packageName} does not load under ${abi}: ${second.reason}; ` +
      `\`npm rebuild ${packageName}\` did not fix it` +
      (rebuild.status === 0 ? '' : ` (it exited with ${rebuild.status ?? rebuild.error})`) +
      `. Its last lines:\n${lastLines(output, 15)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// electron: the Electron build, beside node_modules

function installedVersion(name) {
  const manifest = join(projectRoot, 'node_modules', name, 'package.json');
  if (!existsSync(manifest))
    throw new NativeFailure(`${name} is not installed in node_modules; run npm install first`);
  return readJson(manifest).version;
}

function readStamp() {
  try {
    return readJson(stampFile);
  } catch {
    return null;
  }
}

/** Electron's headers carry its own NODE_MODULE_VERSION, the ABI its native modules must match. */
function moduleVersionFromHeaders(electronVersion) {
  const header = join(electronHeadersCache, electronVersion, 'include', 'node', 'node_version.h');
  const match = /#define\s+NODE_MODULE_VERSION\s+(\d+)/.exec(readFileSync(header, 'utf8'));
  if (!match) throw new NativeFailure(`cannot read NODE_MODULE_VERSION from ${header}`);
  return Number(match[1]);
}

function headersInstalled(electronVersion) {
  return existsSync(join(electronHeadersCache, electronVersion, 'installVersion'));
}

/** A copy without build/: node-gyp then cannot touch the Node build, even through a symlink. */
function copyPackageSource(destination) {
  const source = realpathSync(packageDir);
  cpSync(source, destination, {
    recursive: true,
    dereference: true,
    filter: (path) => {
      const inside = relative(source, path);
      const top = inside.split(sep)[0];
      return top !== 'build' && top !== 'node_modules';
    },
  });
}

function electron() {
  const electronVersion = installedVersion('electron');
  const packageVersion = installedVersion(packageName);
  if (!existsSync(nodeGypScript))
    throw new NativeFailure('node-gyp is not installed in node_modules; run npm install first');
  const wanted = {
    electronVersion,
    packageName,
    packageVersion,
    platform: process.platform,
    arch: process.arch,
  };
  const stamp = readStamp();
  const current =
    stamp !== null &&
    existsSync(electronNativeFile) &&
    Object.entries(wanted).every(([key, value]) => stamp[key] === value);
  if (current) {
    say(
      `${relative(projectRoot, electronNativeFile)} is up to date (${packageName} ${packageVersion}, Electron ${electronVersion}, ABI ${stamp.moduleVersion})`,
    );
    return;
  }

  const workDir = mkdtempSync(join(tmpdir(), 'wardkeep-electron-native-'));
  try {
    const sourceDir = join(workDir, packageName);
    copyPackageSource(sourceDir);
    const result = spawnSync(
      process.execPath,
      [
        nodeGypScript,
        'rebuild',
        '--release',
        `--target=${electronVersion}`,
        `--arch=${process.arch}`,
        `--dist-url=${electronHeadersUrl}`,
        '--runtime=electron',
        `--devdir=${electronHeadersCache}`,
        '--jobs=max',
      ],
      {
        cwd: sourceDir,
        encoding: 'utf8',
        env: cleanEnvironment(networkAndToolchainSettings),
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (result.status !== 0) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
      // node-gyp logs "gyp http GET" before it downloads; headers still missing after that
      // means the download failed, whatever error it wrapped it in.
      if (
        !headersInstalled(electronVersion) &&
        /gyp http GET|network connectivity|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/.test(output)
      ) {
        throw new NativeFailure(
          `could not download Electron ${electronVersion}'s headers from ${electronHeadersUrl}; building the Electron ` +
            `copy of ${packageName} needs them once, so run \`npm start\` (or \`npm run native:electron\`) on a machine with network access`,
        );
      }
      throw new NativeFailure(
        `node-gyp could not build ${packageName} for Electron ${electronVersion}. Its last lines:\n${lastLines(output, 20)}`,
      );
    }
    const built = join(sourceDir, 'build', 'Release', nativeFileName);
    if (!existsSync(built))
      throw new NativeFailure(`node-gyp succeeded but left no ${nativeFileName} in build/Release`);
    const moduleVersion = moduleVersionFromHeaders(electronVersion);

    // Copy then rename: the app never sees a half-written module.
    mkdirSync(electronNativeDir, { recursive: true });
    const partial = `${electronNativeFile}.partial`;
    copyFileSync(built, partial);
    renameSync(partial, electronNativeFile);
    writeFileSync(
      stampFile,
      `${JSON.stringify({ ...wanted, moduleVersion, builtAt: new Date().toISOString() }, null, 2)}\n`,
    );
    say(
      `built ${packageName} ${packageVersion} for Electron ${electronVersion} (ABI ${moduleVersion}) into ${relative(projectRoot, electronNativeFile)}`,
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

const commands = { check, electron };
const name = process.argv[2];
if (!Object.hasOwn(commands, name)) {
  process.stderr.write('usage: node scripts/native.mjs check | electron\n');
  process.exit(2);
}
try {
  commands[name]();
} catch (error) {
  if (!(error instanceof NativeFailure)) throw error;
  process.stderr.write(`native: ${error.message}\n`);
  process.exit(1);
}

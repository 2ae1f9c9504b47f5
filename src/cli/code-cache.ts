/**
 * What bin/dezero-grad.js loads first (built into dist/cli.cjs): it runs the CLI's bundle, split
 * into CommonJS chunks in dist/cli-chunks/, through a V8 code cache.
 *
 * Compiling the bundle is most of what a one-point run costs beyond `node -e 0`. So each chunk is
 * compiled with `vm.Script` and the code V8 made for it (after the run, so the functions the run
 * compiled lazily are in it) is kept in the user's cache directory, `$XDG_CACHE_HOME/dezero-grad`
 * or `~/.cache/dezero-grad`; the next start deserialises it instead of compiling. A chunk's file
 * name carries the hash of its content and a cache file's name the chunk's and the Node version's,
 * so a rebuilt bundle or another Node never reads an old cache. V8 rejects a cache made by other
 * V8 flags or for other source text (then it is written again). A cache that cannot be read or
 * written (no HOME, read-only, a full disk) is skipped silently: the program runs as without it.
 *
 * V8 checks a cache's header and length but not its content (a flipped byte inside can crash the
 * process), and a checksum costs more start-up than the cache saves (node:crypto loads in ~10 ms).
 * So the file holds the cache twice and is used only when both copies are equal, byte for byte.
 *
 * DEZERO_GRAD_CODE_CACHE=off runs without it; =verbose says on stderr what happened to each chunk.
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';

/** In dist/cli-chunks/, set by scripts/build.mjs: the entry chunk, and the file with every chunk a start loads. */
declare const CLI_ENTRY: string;
declare const CLI_START: string;

const CHUNKS = join(__dirname, 'cli-chunks');
const MAGIC = Buffer.from('DZGCODE2');
const HEADER = MAGIC.length + 8; // then the cache's length and its generation, 32 bits each
/**
 * A cache holds the functions the run that wrote it compiled: one written by `--version` lacks the
 * evaluation. So the first runs that use a cache write it again, with what they compiled as well.
 */
const GENERATIONS = 4;
/**
 * Which kind of run this is: `-q`, `--json` or a trace. The cache's generation word holds, above
 * its count (the low byte), a bit for each kind of run that wrote it: the first runs may all be
 * one kind (four `-q` in a script), and a cache of theirs lacks the trace's functions, which every
 * later trace would compile again (~5 ms). So a run of a kind the cache has not seen writes it
 * again, with what it compiled as well. (A guess from argv: a wrong one costs one write or one miss.)
 */
const KIND = ((args: readonly string[]): number =>
  args.includes('-q') || args.includes('--quiet') ? 1 : args.includes('--json') ? 2 : 4)(process.argv);

type Status = 'used' | 'missing' | 'rejected' | 'corrupt' | 'off';
type Factory = (...args: unknown[]) => void;

/** A file of dist/cli-chunks/ as compiled: it defines one chunk or (the start file) several. */
interface File {
  name: string;
  script: Script;
  status: Status;
  /** How many runs wrote the cache it was compiled with before (0: none, or not used). */
  generation: number;
  /** The kinds of run (KIND bits) that wrote it. */
  kinds: number;
}

const files: File[] = [];
/** Each chunk's code, by the name the chunks require it by (`main-HASH.cjs`), once its file is compiled. */
const factories = new Map<string, Factory>();
const modules = new Map<string, { exports: Record<string, unknown> }>();
const setting = process.env.DEZERO_GRAD_CODE_CACHE;
const enabled = setting !== 'off' && setting !== '0';
const verbose = setting === 'verbose';

/** The cache directory, or undefined when there is no home to put it in. */
function cacheDir(): string | undefined {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg?.startsWith('/')) return join(xdg, 'dezero-grad');
  const home = process.env.HOME;
  return home ? join(home, '.cache', 'dezero-grad') : undefined;
}

const dir = enabled ? cacheDir() : undefined;
const cacheFile = (name: string): string =>
  join(dir!, `${name.replace(/\.cjs$/, '')}.node-${process.version}-${process.arch}.v8cache`);

/** The most a cache file may hold (a chunk's cache is well under a megabyte). */
const MAX_CACHE_BYTES = 64 << 20;

/**
 * The cache for a file of chunks when it is whole (both copies equal); its status otherwise. Only
 * a regular file is read: a cache path that is a device (a symlink to /dev/zero or /dev/full) would
 * otherwise be read without end.
 */
function readCache(name: string): { data: Buffer; generation: number } | 'missing' | 'corrupt' {
  let file: Buffer;
  let fd: number;
  try {
    fd = openSync(cacheFile(name), 'r');
  } catch {
    return 'missing';
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > MAX_CACHE_BYTES) return 'corrupt';
    file = Buffer.allocUnsafe(stats.size);
    let offset = 0;
    while (offset < file.length) {
      const n = readSync(fd, file, offset, file.length - offset, offset);
      if (n === 0) break;
      offset += n;
    }
    if (offset !== file.length) return 'corrupt';
  } catch {
    return 'corrupt';
  } finally {
    closeSync(fd);
  }
  if (file.length < HEADER || !file.subarray(0, MAGIC.length).equals(MAGIC)) return 'corrupt';
  const length = file.readUInt32LE(MAGIC.length);
  if (file.length !== HEADER + 2 * length) return 'corrupt';
  const data = file.subarray(HEADER, HEADER + length);
  const generation = file.readUInt32LE(MAGIC.length + 4);
  return data.equals(file.subarray(HEADER + length)) ? { data, generation } : 'corrupt';
}

const dynamicImport = (id: string): Promise<unknown> => import(id);

/** Compiles a file of chunks, with its cache when there is a good one, and takes its definitions. */
function compile(name: string): void {
  const file = join(CHUNKS, name);
  const source = readFileSync(file, 'utf8');
  const cached = dir === undefined ? 'off' : readCache(name);
  // A file is `(function (define) { ... })` (scripts/build.mjs). The chunks' `import()`s are
  // `__import()`: this module's own import(), as on Node 20 a script compiled from a cache has
  // lost its dynamic-import callback.
  const script = new Script(source, {
    filename: file,
    cachedData: typeof cached === 'string' ? undefined : cached.data,
  });
  const status: Status = typeof cached === 'string' ? cached : script.cachedDataRejected ? 'rejected' : 'used';
  files.push({
    name,
    script,
    status,
    generation: status === 'used' ? (cached as { generation: number }).generation & 0xff : 0,
    kinds: status === 'used' ? (cached as { generation: number }).generation >>> 8 : 0,
  });
  const defineAll = script.runInThisContext() as (define: (chunk: string, factory: Factory) => void) => void;
  defineAll((chunk, factory) => factories.set(chunk, factory));
}

/** Loads a chunk as `require` would: its module's exports, its code run once. */
function load(name: string): Record<string, unknown> {
  const known = modules.get(name);
  if (known !== undefined) return known.exports;
  if (!factories.has(name)) compile(name);
  const factory = factories.get(name);
  if (factory === undefined) throw new Error(`internal: dist/cli-chunks has no chunk ${name}`);
  const module = { exports: {} };
  modules.set(name, module);
  const file = join(CHUNKS, name);
  // The chunks require each other as './name.cjs': those come through here too. Anything else (a
  // node: module, a package) resolves from this file's folder as from theirs, its parent (and
  // node:module's createRequire costs ~0.4 ms to load).
  const chunkRequire = (id: string): unknown => (/^\.\/[\w.-]+\.cjs$/.test(id) ? load(id.slice(2)) : require(id));
  factory.call(module.exports, module.exports, chunkRequire, module, file, CHUNKS, dynamicImport);
  return module.exports;
}

/** Writes the caches the run did not have (atomically: a reader sees the old file or the new). */
function writeCaches(): void {
  if (dir === undefined) return;
  const todo = files.filter((f) => f.status !== 'used' || f.generation + 1 < GENERATIONS || (f.kinds & KIND) === 0);
  if (todo.length === 0) return;
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    if (verbose) process.stderr.write(`code cache: cannot create ${dir}\n`);
    return;
  }
  for (const chunk of todo) {
    const target = cacheFile(chunk.name);
    const temporary = `${target}.${process.pid}.tmp`;
    try {
      const data = chunk.script.createCachedData();
      const header = Buffer.alloc(HEADER);
      MAGIC.copy(header);
      header.writeUInt32LE(data.length, MAGIC.length);
      const generation = chunk.status === 'used' ? Math.min(chunk.generation + 1, 0xff) : 0;
      const kinds = (chunk.status === 'used' ? chunk.kinds : 0) | KIND;
      header.writeUInt32LE(generation | (kinds << 8), MAGIC.length + 4);
      writeFileSync(temporary, Buffer.concat([header, data, data]));
      renameSync(temporary, target);
      if (verbose) process.stderr.write(`code cache: ${chunk.name} ${chunk.status}, written\n`);
    } catch (e) {
      rmSync(temporary, { force: true });
      if (verbose)
        process.stderr.write(`code cache: ${chunk.name} ${chunk.status}, not written (${(e as Error).message})\n`);
    }
  }
  removeStale();
}

/**
 * A cache of a chunk this build does not have is another build's: an older one of this install, or
 * another install sharing the directory (npx's copy and a project's, at other versions). Removed
 * only when no run has written it for STALE_DAYS: removed at once, two installs would delete each
 * other's caches at every run, and each would compile and write its own cache again every time.
 */
const STALE_DAYS = 30;

/** Removes the caches of chunks that no longer exist and have not been written for STALE_DAYS. */
function removeStale(): void {
  try {
    const current = new Set(readdirSync(CHUNKS).map((name) => name.replace(/\.cjs$/, '')));
    const before = Date.now() - STALE_DAYS * 86_400_000;
    for (const name of readdirSync(dir!)) {
      const chunk = name.split('.node-')[0];
      if (!name.endsWith('.v8cache') || current.has(chunk)) continue;
      const file = join(dir!, name);
      if (statSync(file).mtimeMs < before) rmSync(file, { force: true });
    }
  } catch {
    // best effort: a stale cache is never read, it only takes space
  }
}

export async function main(): Promise<void> {
  compile(CLI_START);
  const cli = load(CLI_ENTRY) as { main(): Promise<boolean> };
  const finished = await cli.main();
  if (verbose) {
    for (const c of files) if (c.status === 'used') process.stderr.write(`code cache: ${c.name} used\n`);
  }
  writeCaches();
  // Nothing left to flush (src/cli/main.ts): end now, without tearing the heap down.
  if (finished && !verbose) process.exit();
}

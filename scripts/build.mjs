// Build: tsc emits the library with its type declarations into dist/; esbuild bundles the CLI
// (with commander and chalk) into CommonJS chunks under dist/cli-chunks/, run by the loader
// dist/cli.cjs (src/cli/code-cache.ts, below), because start-up time is a
// product requirement: on Node 20, loading the same bundle as an ES module costs ~50% more CPU
// than `node -e 0` in the ESM loader alone, as CommonJS it is within a few percent (measured with
// `perf stat -e task-clock`; `npm run bench` prints the wall-clock ratio). bin/ is CommonJS too
// (bin/package.json). mathjs, @inquirer/prompts and the plotting packages stay outside the bundle: they are loaded with
// a dynamic import(), only on the paths that use them. (So no `import.meta` in src/cli's graph.)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { createRequire } from 'node:module';
import { build, transform } from 'esbuild';
import { buildLoader, define, file, lazyChildProcess, minify, noColorDetection } from './cli-bundle.mjs';

const require = createRequire(import.meta.url);

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
// The CLI is split: esbuild's code splitting (ES modules only) makes the entry chunk with what a
// one-point run needs and one chunk per path loaded with `await import()` (the REPL, minimize and
// root, plots, the symbolic oracle), with the code they share in chunks of their own, so nothing is
// duplicated. Each chunk is then turned into CommonJS (a `require()` of a chunk is ~0.1 ms, an
// `import()` from CommonJS goes through the ESM loader, ~8 ms the first time) and written to
// dist/cli-chunks/ under a name carrying its content hash. dist/cli.cjs (src/cli/code-cache.ts)
// loads them through a V8 code cache kept in the user's cache directory.
const split = await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/cli-chunks',
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // d3-contour and @resvg/resvg-js (a native renderer) are loaded by --plot only.
  external: ['mathjs', '@inquirer/prompts', 'd3-contour', '@resvg/resvg-js'],
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
  metafile: true,
  plugins: [lazyChildProcess, noColorDetection],
});
mkdirSync('dist/cli-chunks', { recursive: true });
const chunks = new Map(); // name -> { text: ES module, imports: the chunks it requires when it loads }
let entry;
for (const out of split.outputFiles) {
  const name = basename(out.path).replace(/\.js$/, '.cjs');
  if (split.metafile.outputs[relative(process.cwd(), out.path)]?.entryPoint === 'src/cli/main.ts') entry = name;
  const imports = [...out.text.matchAll(/(?:from|import)\s*["']\.\/([\w-]+)\.js["']/g)].map((m) => `${m[1]}.cjs`);
  // Chunks name each other './x-HASH.js': in CommonJS './x-HASH.cjs', and a chunk loaded on demand
  // is required.
  const text = out.text
    .replace(/(["'])\.\/([\w-]+)\.js\1/g, '"./$2.cjs"')
    .replace(/\bimport\("\.\/([\w-]+)\.cjs"\)/g, 'Promise.resolve().then(() => require("./$1.cjs"))')
    // So is a Node built-in (node:tty on a terminal, node:readline, node:child_process): an
    // import() goes through the ES module loader, ~4-8 ms the first time, a require() ~0.1 ms (the
    // code destructures their named exports, which require() gives as well).
    .replace(/\bimport\("(node:[\w/]+)"\)/g, 'Promise.resolve().then(() => require("$1"))')
    // The rest (mathjs, @inquirer/prompts, d3-contour, ...) go through the loader's import(): V8 20
    // loses a script's dynamic-import callback when its code comes from a cache.
    .replace(/\bimport\(/g, '__import(');
  chunks.set(name, { text, imports });
}
// The chunks a start loads: the entry and what it imports, transitively.
const startup = new Set([entry]);
for (const name of startup) for (const dep of chunks.get(name).imports) startup.add(dep);
// Each chunk loaded on demand is a file of its own, turned into CommonJS (a `require()` of a chunk
// is ~0.1 ms, an `import()` from CommonJS goes through the ESM loader, ~8 ms the first time),
// written under a name carrying its content hash.
for (const [name, { text }] of chunks) {
  if (startup.has(name)) continue;
  const cjs = await transform(text, { format: 'cjs', loader: 'js', ...minify });
  writeFileSync(`dist/cli-chunks/${name}`, file(define(name, cjs.code)));
}
// The chunks a start loads are bundled again, into one scope: one read and one code cache, and
// none of the CommonJS interop each chunk of its own carries (its exports copied into getters,
// every use of another chunk's function a property read through one). It exports each of those
// chunks' namespaces, and the file defines each chunk's name as one of them: the entry for the
// loader, the shared ones for the chunks loaded on demand.
const START_BUNDLE = 'start-bundle.cjs';
const exported = [
  ...new Set([
    entry,
    ...[...startup].filter((name) =>
      [...chunks].some(([other, { imports }]) => !startup.has(other) && imports.includes(name)),
    ),
  ]),
];
// Each of the start's chunks goes out as a plain object of the names the chunks loaded on demand
// import from it, not as its whole namespace (`import * as`: a getter for every export, defined one
// by one at every start, ~2M instructions of a one-point run's ~120M). A plain property holds the
// value the binding has when the start file's top level ends; a binding that the chunk assigns
// again later (`let cache; ... cache = ...`) goes out as a getter, so it stays live.
const wanted = new Map(exported.map((name) => [name, new Set()]));
for (const [name, { text }] of chunks) {
  if (startup.has(name)) continue;
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"\.\/([\w-]+\.cjs)"/g)) {
    if (!wanted.has(m[2])) continue;
    for (const spec of m[1].split(',')) if (spec.trim() !== '') wanted.get(m[2]).add(spec.trim().split(/\s+as\s+/)[0]);
  }
}
wanted.get(entry).add('main');
/** The names a chunk's code assigns to after their declaration (an over-approximation: any scope). */
function assignedNames(text) {
  const ts = require('typescript');
  const names = new Set();
  const targets = (node) => {
    if (ts.isIdentifier(node)) names.add(node.text);
    else ts.forEachChild(node, targets);
  };
  const visit = (node) => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    )
      targets(node.left);
    else if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
    )
      targets(node.operand);
    else if (
      (ts.isForInStatement(node) || ts.isForOfStatement(node)) &&
      !ts.isVariableDeclarationList(node.initializer)
    )
      targets(node.initializer);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('chunk.js', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS));
  return names;
}
/** The stdin's import of a chunk's wanted names, and the object they go out as. */
function namespaceOf(name, i) {
  const { text } = chunks.get(name);
  const local = new Map(); // exported name -> the chunk's own name for it
  for (const m of text.matchAll(/export\s*\{([^}]*)\};/g))
    for (const spec of m[1].split(',')) {
      const [own, as = own] = spec.trim().split(/\s+as\s+/);
      if (own !== '') local.set(as, own);
    }
  const assigned = assignedNames(text);
  const names = [...wanted.get(name)];
  const imports = `import { ${names.map((n) => `${n} as c${i}$${n}`).join(', ')} } from "./${name}";`;
  const fields = names.map((n) =>
    assigned.has(local.get(n) ?? n) ? `get ${n}() { return c${i}$${n}; }` : `${n}: c${i}$${n}`,
  );
  return { imports, object: `{ ${fields.join(', ')} }` };
}
const namespaces = exported.map(namespaceOf);
const bundled = await build({
  stdin: {
    // One plain object on `module` (the loader's): ES exports would make esbuild copy it into
    // getters of module.exports (__toCommonJS), ~0.35M instructions more.
    contents: `${namespaces.map((n) => n.imports).join('\n')}\nmodule.exports = { ${namespaces.map((n, i) => `c${i}: ${n.object}`).join(', ')} };`,
    resolveDir: process.cwd(),
    loader: 'js',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  write: false,
  logLevel: 'warning',
  ...minify,
  plugins: [
    {
      name: 'start-chunks',
      setup(b) {
        // The start's chunks from memory; a chunk loaded on demand stays a require() (the loader's).
        b.onResolve({ filter: /^\.\/[\w-]+\.cjs$/ }, (args) =>
          startup.has(args.path.slice(2))
            ? { path: args.path.slice(2), namespace: 'chunk' }
            : { path: args.path, external: true },
        );
        b.onLoad({ filter: /.*/, namespace: 'chunk' }, (args) => ({
          contents: chunks.get(args.path).text,
          loader: 'js',
          resolveDir: process.cwd(),
        }));
      },
    },
  ],
});
const start = file(
  define(START_BUNDLE, bundled.outputFiles[0].text) +
    exported
      .map((name, i) => define(name, `module.exports = require(${JSON.stringify(`./${START_BUNDLE}`)}).c${i};\n`))
      .join(''),
);
const startName = `start-${createHash('sha256').update(start).digest('hex').slice(0, 8)}.cjs`;
writeFileSync(`dist/cli-chunks/${startName}`, start);
console.log(
  `dist/cli-chunks/${startName}: ${start.length} bytes, ${startup.size} chunks in one scope, ${exported.length} of them exported; ${chunks.size - startup.size} chunks loaded on demand`,
);
await buildLoader('src/cli/code-cache.ts', 'dist/cli.cjs', entry, startName);

// The library for CommonJS projects (`require('dezero-grad')`): the same modules bundled into one
// CommonJS file, dist/index.cjs, beside the ES modules tsc emits (Node 20 cannot require an ES
// module). mathjs stays outside (loaded on first use, as in the ES build); the thread pool's workers
// import the ES build's primitives, next to this file: import.meta.url is where pool.js is. Its
// types are the same declarations under dist/cjs/, a folder TypeScript reads as CommonJS.
await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['mathjs'],
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'import.meta.url': '__poolModuleUrl' },
  banner: {
    js: "const __poolModuleUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, 'batch', 'pool.js')).href;",
  },
});
for (const file of readdirSync('dist', { recursive: true })) {
  if (file.endsWith('.d.ts')) cpSync(`dist/${file}`, `dist/cjs/${file}`);
}
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');

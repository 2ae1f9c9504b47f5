// Build: tsc emits the library with its type declarations into dist/; esbuild bundles the CLI
// (with commander and chalk) into one CommonJS file, dist/cli.cjs, because start-up time is a
// product requirement: on Node 20, loading the same bundle as an ES module costs ~50% more CPU
// than `node -e 0` in the ESM loader alone, as CommonJS it is within a few percent (measured with
// `perf stat -e task-clock`; `npm run bench` prints the wall-clock ratio). bin/ is CommonJS too
// (bin/package.json). mathjs, @inquirer/prompts and the plotting packages stay outside the bundle: they are loaded with
// a dynamic import(), only on the paths that use them. (So no `import.meta` in src/cli's graph.)
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

// commander requires node:child_process at load time but uses it only for executable
// subcommands, which we do not have; loading it costs start-up time, so it is loaded on first use.
// chalk detects colour support when imported, through node:tty (which loads net and stream, ~10%
// of start-up). We never use its detection: src/cli/color.ts decides and passes the level.
const noColorDetection = {
  name: 'no-color-detection',
  setup(b) {
    b.onResolve({ filter: /^#supports-color$/ }, () => ({ path: 'supports-color', namespace: 'no-detection' }));
    b.onLoad({ filter: /.*/, namespace: 'no-detection' }, () => ({
      contents: 'export default { stdout: false, stderr: false };',
      loader: 'js',
    }));
  },
};

const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    // Only commander's require goes through the proxy: our own `await import('node:child_process')`
    // (--graph) is loaded when it runs anyway, and esbuild's ESM interop copies a module's own keys,
    // which the proxy has none of (that was "spawn is not a function").
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.namespace === 'lazy' || !/[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'node:child_process', external: true }
        : { path: 'child_process', namespace: 'lazy' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents:
        "let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // d3-contour and @resvg/resvg-js (a native renderer) are loaded by --plot only.
  external: ['mathjs', '@inquirer/prompts', 'd3-contour', '@resvg/resvg-js'],
  legalComments: 'none',
  logLevel: 'warning',
  // Whitespace and syntax only (names stay readable in an internal error's stack): a 43% smaller
  // file, ~5-10% less wall time at start-up in alternating runs.
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [lazyChildProcess, noColorDetection],
});

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

import { build } from 'esbuild';

// How the CLI's bundle is made (scripts/build.mjs): esbuild's plugins and options, and the format of
// a file of dist/cli-chunks/ that src/cli/code-cache.ts loads. bench/startup-floor.mjs makes its
// minimal bundles with the same, so that they start as the CLI does.

// commander requires node:child_process at load time but uses it only for executable
// subcommands, which we do not have; loading it costs start-up time, so it is loaded on first use.
// chalk detects colour support when imported, through node:tty (which loads net and stream, ~10%
// of start-up). We never use its detection: src/cli/color.ts decides and passes the level.
export const noColorDetection = {
  name: 'no-color-detection',
  setup(b) {
    b.onResolve({ filter: /^#supports-color$/ }, () => ({ path: 'supports-color', namespace: 'no-detection' }));
    b.onLoad({ filter: /.*/, namespace: 'no-detection' }, () => ({
      contents: 'export default { stdout: false, stderr: false };',
      loader: 'js',
    }));
  },
};

export const lazyChildProcess = {
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

// Names too: the start file is 25% smaller than with whitespace and syntax only, less to read and
// a smaller code cache to deserialise at every start. An internal error's stack then names
// minified functions, but its file:line:column still point into dist/cli-chunks/.
export const minify = { legalComments: 'none', minify: true, target: 'node20' };
// A file defines its chunks as functions (src/cli/code-cache.ts runs them as CommonJS modules).
export const define = (name, code) =>
  `define(${JSON.stringify(name)}, function (exports, require, module, __filename, __dirname, __import) {\n${code}});\n`;
// A file is one function expression, `(function (define) { ... })`, compiled as it is read: the
// loader adds nothing to the text (no copy of it at every start).
export const file = (text) => `(function (define) {\n${text}});\n`;

/**
 * The loader (src/cli/code-cache.ts) as one CommonJS file, `outfile`, that starts the chunk `entry`
 * defined in the start file `start` of the folder cli-chunks/ beside it.
 */
export const buildLoader = (source, outfile, entry, start) =>
  build({
    entryPoints: [source],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    legalComments: 'none',
    logLevel: 'warning',
    define: { CLI_ENTRY: JSON.stringify(entry), CLI_START: JSON.stringify(start) },
    // Compiled without a cache at every start, before anything else.
    minify: true,
  });

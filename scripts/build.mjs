// Build: tsc emits the library with its type declarations into dist/; esbuild bundles the CLI
// (with commander and chalk) into one file, dist/cli.js, because start-up time is a product
// requirement. mathjs and @inquirer/prompts stay outside the bundle: they are imported lazily,
// only on the paths that use them.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['mathjs', '@inquirer/prompts'],
  // commander is CommonJS: give the bundle a real require for its node: built-ins.
  banner: { js: "import { createRequire as __dgCreateRequire } from 'node:module';\nconst require = __dgCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});

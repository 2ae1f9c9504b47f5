// The floor under the start-up goal: what a one-point run costs before the CLI's own work, measured
// with the CLI's own loader (src/cli/code-cache.ts, built as dist/cli.cjs is, with its V8 code
// cache) around minimal bundles made the way scripts/build.mjs makes the CLI's (scripts/cli-bundle.mjs):
//
//   loader     a CLI that writes its two result lines and nothing else: the loader, its code cache
//   commander  + commander: the program `-q` makes (one option), parsed as src/cli/program.ts does
//   lean       + the parser, the tape and the number format (src/expr/parse.ts, src/api/
//              differentiate-tape.ts, src/report/format.ts): `-q` with none of the CLI around it
//
// bench/run.mjs times each against `node -e 0` beside the real binary, alternating.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildLoader, define, file, lazyChildProcess, minify } from '../scripts/cli-bundle.mjs';

const program = `
  const argv = process.argv.slice(2); // EXPRESSION --x VALUE -q
  const program = new Command('dezero-grad')
    .allowExcessArguments(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => writeSync(1, s), writeErr: (s) => writeSync(2, s), outputError: () => {} });
  program.addOption(new Option('-q, --quiet', 'print the result only: the value and the gradient'));
  program.parse([...argv.slice(3), '--', argv[0]], { from: 'user' });`;

const FLOOR = [
  {
    name: 'loader',
    what: 'the loader and its code cache alone',
    code: `import { writeSync } from 'node:fs';
export async function main() {
  writeSync(1, 'y = 1.6487212707001282\\ndy/dx = 3.297442541400256\\n');
  return true;
}`,
  },
  {
    name: 'commander',
    what: '+ commander making and parsing the -q program',
    code: `import { writeSync } from 'node:fs';
import { Command, Option } from 'commander';
export async function main() {${program}
  writeSync(1, 'y = 1.6487212707001282\\ndy/dx = 3.297442541400256\\n');
  return program.args.length === 1;
}`,
  },
  {
    name: 'lean',
    what: '+ the parser, the tape and the number format',
    code: `import { writeSync } from 'node:fs';
import { Command, Option } from 'commander';
import { parsePostfix } from './src/expr/parse.js';
import { differentiateOnTape } from './src/api/differentiate-tape.js';
import { formatNumber } from './src/report/format.js';
export async function main() {${program}
  const name = argv[1].slice(2);
  const { result } = differentiateOnTape(parsePostfix(program.args[0]), new Map([[name, Number(argv[2])]]));
  writeSync(1, \`y = \${formatNumber(result.value)}\\ndy/d\${name} = \${formatNumber(result.gradient[name])}\\n\`);
  return true;
}`,
  },
];

/**
 * Builds each stage into `dir`/NAME: the loader as cli.cjs, its one start file in cli-chunks/, and
 * run.cjs, which starts it as bin/dezero-grad.js starts dist/cli.cjs. Returns each stage with the
 * script to run and its start file's size.
 */
export async function buildFloor(root, dir) {
  rmSync(dir, { recursive: true, force: true });
  const stages = [];
  for (const stage of FLOOR) {
    const out = join(dir, stage.name);
    mkdirSync(join(out, 'cli-chunks'), { recursive: true });
    const bundle = await build({
      stdin: { contents: stage.code, resolveDir: root, loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      logLevel: 'warning',
      plugins: [lazyChildProcess],
      ...minify,
    });
    const entry = `main-floor-${stage.name}.cjs`;
    const start = `start-floor-${stage.name}.cjs`;
    const text = file(define(entry, bundle.outputFiles[0].text));
    writeFileSync(join(out, 'cli-chunks', start), text);
    await buildLoader(join(root, 'src/cli/code-cache.ts'), join(out, 'cli.cjs'), entry, start);
    writeFileSync(join(out, 'run.cjs'), "require('./cli.cjs').main();\n");
    stages.push({ ...stage, script: join(out, 'run.cjs'), bytes: text.length });
  }
  return stages;
}

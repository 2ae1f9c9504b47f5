/**
 * The README's examples are run: every `console` block's `$ npx dezero-grad ...` commands must print
 * what the README shows, and every `ts` block must run and print what its `// ...` comments say.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import './helpers/cache-home.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function blocks(lang: string): string[] {
  const re = new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g');
  return [...readme.matchAll(re)].map((m) => m[1]);
}

interface Example {
  command: string;
  expected: string;
}

function consoleExamples(): Example[] {
  const examples: Example[] = [];
  for (const block of blocks('console')) {
    let current: Example | undefined;
    for (const line of block.split('\n')) {
      if (line.startsWith('$ ')) {
        current = { command: line.slice(2), expected: '' };
        examples.push(current);
      } else if (current !== undefined && line !== '') {
        current.expected += line + '\n';
      }
    }
  }
  return examples;
}

describe('README console examples', () => {
  const examples = consoleExamples();
  test('there are examples to check', () => assert.ok(examples.length >= 5));
  for (const ex of examples) {
    test(ex.command, () => {
      const command = ex.command.replace(/\bnpx dezero-grad\b/g, `node "${join(root, 'bin/dezero-grad.js')}"`);
      const r = spawnSync('bash', ['-c', `${command} 2>&1`], {
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
        encoding: 'utf8',
        cwd: root,
      });
      assert.equal(r.stdout, ex.expected);
    });
  }
});

describe('README TypeScript examples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-readme-'));
  blocks('ts').forEach((code, i) => {
    test(`example ${i + 1} prints what its comments say`, () => {
      // The examples are also valid JavaScript once the package name points at the build.
      const js = code.replace("from 'dezero-grad'", `from '${join(root, 'dist/index.js')}'`);
      const file = join(dir, `example-${i + 1}.mjs`);
      writeFileSync(file, js);
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const expected = [...code.matchAll(/console\.log\(.*\); \/\/ (.*)/g)].map((m) => m[1] + '\n').join('');
      assert.ok(expected.length > 0, 'the example says what it prints');
      assert.equal(r.stdout, expected);
    });
  });
});

test('the function table names every function expressions may call', async () => {
  const { CALLABLE } = await import('../src/engine/registry.js');
  const table = readme.slice(readme.indexOf('| function |'), readme.indexOf('### Errors'));
  const missing = CALLABLE.filter((op) => !table.includes(`\`${op.name}(`)).map((op) => op.name);
  assert.deepEqual(missing, [], 'add them to the README function table');
});

test('every row of the edge-case table is what the library gives', async () => {
  const { grad } = await import('../src/index.js');
  const start = readme.indexOf('## Edge cases');
  const section = readme.slice(start, readme.indexOf('A result that is not finite', start));
  const rows = [...section.matchAll(/^\| `([^`]+)`(?: at (\([^)]*\)|\S+))? \| (\S+) \| ([^|]*) \|/gm)];
  assert.ok(rows.length >= 10, `the table has ${rows.length} rows`);
  const num = (t: string): number =>
    t === 'Infinity' ? Infinity : t === '-Infinity' ? -Infinity : t === 'NaN' ? NaN : Number(t);
  for (const [, expression, at, value, gradient] of rows) {
    const point =
      at === undefined
        ? []
        : at
            .replace(/[()]/g, '')
            .split(',')
            .map((t) => num(t.trim()));
    const names = ['x', 'y'].filter((n) => new RegExp(`\\b${n}\\b`).test(expression)).slice(0, point.length);
    const r = grad(expression, Object.fromEntries(names.map((n, i) => [n, point[i]])));
    assert.ok(
      Object.is(r.value, num(value)) || (Number.isNaN(r.value) && value === 'NaN'),
      `${expression}: value ${r.value}, table ${value}`,
    );
    const cells = gradient.trim() === '' ? [] : gradient.trim().split(', ');
    cells.forEach((cell, i) => {
      const m = /^d\/d(\w+) (\S+)$/.exec(cell);
      const [name, want] = m === null ? [names[i], cell] : [m[1], m[2]];
      const got = r.gradient[name];
      assert.ok(
        Object.is(got, num(want)) || (Number.isNaN(got) && want === 'NaN') || (got === 0 && num(want) === 0),
        `${expression}: d/d${name} ${got}, table ${want}`,
      );
    });
  }
});

/**
 * Hostile input: an expression is data. No name reaches a JavaScript object, nothing outside the
 * grammar is evaluated, size is bounded, and output errors end the program cleanly.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { grad } from '../src/api/grad.js';
import { MAX_INPUT_LENGTH, MAX_NODES } from '../src/expr/parse.js';
import { runCli as cli } from './helpers/cli.js';
import { shell } from './helpers/process.js';
import './helpers/cache-home.js';

const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-hostile-'));
const marker = join(dir, 'pwned');
const js = `require('child_process').execSync('touch ${marker}')`;

/**
 * Attack strings published against JavaScript expression evaluators: mathjs's security tests and
 * advisories (Function reached through constructor, call/apply, import, createUnit, evaluate,
 * parse, reviver and friends) and expr-eval's prototype-pollution and code-execution advisories.
 */
const ATTACKS = [
  `[].map.constructor("${js}")()`,
  `sqrt.constructor("${js}")()`,
  `cos.constructor("return process")()`,
  `[].map.constructor.call(null, "${js}")()`,
  `[].map.constructor.apply(null, ["${js}"])()`,
  `f=[].map.constructor("${js}"); f()`,
  `f=sqrt.constructor("${js}"); f()`,
  `disguised("${js}")()`,
  `a = "constructor"; b = cos[a]; b("${js}")()`,
  `cos["constructor"]("${js}")()`,
  `sin.constructor.call(null, "${js}")()`,
  `(1).constructor.constructor("return process")()`,
  `import({matrix: cos}, {override: true})`,
  `createUnit("foo")`,
  `evaluate("1+1")`,
  `parse("2+3")`,
  `simplify("x^2")`,
  `derivative("x^2", "x")`,
  `chain(1).toString()`,
  `reviver("x")`,
  `unit("5cm").toNumber.constructor("${js}")()`,
  `{}.constructor.prototype.polluted = 1`,
  `x.__proto__.polluted = 1`,
  `__proto__.polluted = 1`,
  `constructor.prototype.polluted = 1`,
  `constructor.constructor("return process")().mainModule.require("child_process").execSync("touch ${marker}")`,
  `toString.constructor("${js}")()`,
  `valueOf.call(1)`,
  `this.constructor.constructor("${js}")()`,
  `Function("${js}")()`,
  `eval("${js}")`,
  `require("child_process")`,
  `process.exit(0)`,
  `globalThis.process`,
  `x = 1`,
  `x === 1 ? 1 : 0`,
  `"1" + 1`,
  `'a'`,
  '`${1}`',
  `[1, 2, 3]`,
  `1:3`,
  `3!`,
  `x'`,
  `x %% 2`,
  `x | 1`,
  `x; y`,
  `x.y`,
  `# comment`,
];

for (const attack of ATTACKS) {
  test(`attack ${JSON.stringify(attack.length > 60 ? attack.slice(0, 60) + '…' : attack)}: exit 2, no side effect`, async () => {
    const before = Object.getOwnPropertyNames(Object.prototype).join();
    const r = await cli([attack, '--x', '1', '--y', '2']);
    assert.equal(r.code, 2, r.out + r.err);
    assert.equal(r.out, '');
    assert.match(r.err, /^dezero-grad: .*\(column \d+\)\n/);
    assert.doesNotMatch(r.err, /internal error|\n\s+at /);
    assert.equal(Object.getOwnPropertyNames(Object.prototype).join(), before);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(existsSync(marker), false);
  });
}

const NAMES = [
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
];

for (const name of NAMES) {
  test(`${name} is an unknown function and an ordinary variable`, async () => {
    const call = await cli([`${name}(1)`]);
    assert.equal(call.code, 2);
    assert.match(call.err, new RegExp(`unknown function '${name}'`));
    const missing = await cli([`${name} + 1`]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, new RegExp(`no value for ${name}`));
    // With a value it is just a variable: the gradient of name^2 at 3 is 2·3.
    const r = await cli([`${name}^2`, `--${name}`, '3', '--json', '-q']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.variables[name], 3);
    assert.equal(j.gradient[name], 2 * 3);
    assert.equal(grad(`${name}*2`, new Map([[name, 5]])).gradient[name], 2);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
}

test('a 10 MB expression is refused with a clear message, quickly and without a crash', async () => {
  const huge = 'x+'.repeat(5_000_000) + 'x';
  const r = await cli([huge, '--x', '1']);
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    new RegExp(`expression is too long: ${huge.length} characters \\(the limit is ${MAX_INPUT_LENGTH}\\)`),
  );
  // The caret line shows a window, not 10 MB.
  assert.ok(r.err.length < 1000, `${r.err.length} characters of error`);
  const f = await cli(['-f', 'big.txt', '--x', '1'], { readFile: async () => huge });
  assert.equal(f.code, 2);
});

test('more than MAX_NODES numbers, names and operators is refused before any graph is built', async () => {
  const r = await cli(['-'.repeat(MAX_NODES) + 'x', '--x', '1']);
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    new RegExp(
      `expression is too large: more than ${MAX_NODES} numbers, names and operators \\(column ${MAX_NODES + 1}\\)`,
    ),
  );
});

test('a long expression under the limit is evaluated (x + x + ... + x, 50,001 terms)', async () => {
  const terms = 50_001;
  const r = await cli([Array(terms).fill('x').join('+'), '--x', '0.5', '--json', '-q']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.gradient.x, terms);
  assert.equal(j.value, terms * 0.5);
});

test('| head -1 ends quietly with exit 0', () => {
  // Output far larger than a pipe's buffer, so the write after head exits fails with EPIPE.
  const file = join(dir, 'long.txt');
  writeFileSync(file, Array(20_000).fill('sin(x)').join('+'));
  const r = shell(`node bin/dezero-grad.js -f '${file}' --x 1 | head -1; echo "exit \${PIPESTATUS[0]}"`);
  assert.equal(r.stdout, 'forward\nexit 0\n');
  assert.equal(r.stderr, '');
});

test('writing to a full disk reports on stderr and exits 1', () => {
  const r = shell('node bin/dezero-grad.js "square(exp(square(x)))" --x 0.5 > /dev/full; echo "exit $?" >&2');
  assert.match(r.stderr, /^dezero-grad: cannot write to standard output: ENOSPC: no space left on device.*\nexit 1\n$/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('cleanup', () => rmSync(dir, { recursive: true, force: true }));

test("--check and --symbolic: prototype names and mathjs's own names (i, E, version) stay our variables", async () => {
  const r = await cli([
    '__proto__^2*constructor + i*E + version',
    '--__proto__',
    '2',
    '--constructor',
    '3',
    '--i',
    '1',
    '--E',
    '2',
    '-v',
    'version=5',
    '--check',
    '--symbolic',
    '--json',
    '-q',
  ]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const formulas = new Map(Object.entries(j.symbolic));
  assert.deepEqual(
    formulas,
    new Map([
      ['__proto__', '2*constructor*__proto__'],
      ['constructor', '__proto__^2'],
      ['i', 'E'],
      ['E', 'i'],
      ['version', '1'],
    ]),
  );
  for (const name of ['__proto__', 'constructor', 'i', 'E', 'version']) assert.equal(j.check[name].ok, true, name);
  assert.equal(j.check.__proto__.symbolic, 2 * 2 * 3);
});

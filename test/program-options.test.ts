/**
 * The one table of options (src/cli/program.ts) makes two commander programs: the whole one for
 * --help and --version, and for any other run one with only the options its argv uses. Both must
 * read an option the same way, and splitArgv must know every option whichever is made. Commander
 * itself is the oracle for how a flags string reads.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { knownFlags, knownOptions } from '../src/cli/args.js';
import type { IO } from '../src/cli/io.js';
import { makeProgram } from '../src/cli/program.js';
import { runCli as cli } from './helpers/cli.js';

const io = { out: () => {}, err: () => {} } as unknown as IO;
const longs = (options: readonly { long?: string }[]): string[] => options.map((o) => o.long!);

describe('the table of options', () => {
  const full = makeProgram(io);

  test('knownFlags reads each flags string as commander does (value required, optional, none)', () => {
    const fromTable = knownFlags(full.options.map((o) => o.flags));
    const fromCommander = knownOptions(full);
    for (const [flag, takesValue] of fromCommander.long) {
      if (flag === '--help') continue; // commander's own, added by knownOptions
      assert.equal(fromTable.long.get(flag), takesValue, flag);
    }
    for (const [flag, takesValue] of fromCommander.short) {
      if (flag === '-h') continue;
      assert.equal(fromTable.short.get(flag), takesValue, flag);
    }
    assert.deepEqual([...fromTable.optionalFile!], [...fromCommander.optionalFile!]);
    assert.ok(fromTable.long.get('--precision') === true && fromTable.long.get('--json') === false);
    assert.deepEqual([...fromTable.optionalFile!], ['--plot']);
  });

  test('a run builds only the options its argv uses; --color and --no-color come together', () => {
    assert.deepEqual(longs(makeProgram(io, ['x', '--x', '1']).options), []);
    assert.deepEqual(longs(makeProgram(io, ['-q']).options), ['--quiet']);
    assert.deepEqual(longs(makeProgram(io, ['--precision=3', '--json']).options), ['--json', '--precision']);
    assert.deepEqual(longs(makeProgram(io, ['--no-color']).options), ['--color', '--no-color']);
  });

  test('--help and --version build every option of the table, in its order', () => {
    for (const flag of ['--help', '-h', '--version', '-V']) {
      assert.deepEqual(longs(makeProgram(io, [flag]).options), longs(full.options), flag);
    }
    assert.equal(full.options.length, 23);
  });

  test('the lean program reads the same values as the whole one', async () => {
    // --no-color alone leaves colour off, with or without --color registered beside it
    const one = await cli(['x^2', '--x', '3', '-q', '--no-color']);
    assert.equal(one.code, 0);
    assert.equal(one.out, 'y = 9\ndy/dx = 6\n'); // 3^2 and 2*3
    const precision = await cli(['x^2', '--x', '3', '--precision', '2', '-q']);
    assert.equal(precision.out, 'y = 9\ndy/dx = 6\n');
    const bad = await cli(['x', '--x', '0:1:0.5', '--format', 'xml']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /Allowed choices are table, tsv, csv/);
  });
});

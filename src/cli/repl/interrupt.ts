/**
 * Ctrl-C during long work in a terminal session. The work is synchronous JavaScript, so no event
 * handler can run until it ends; node:vm's `breakOnSigint` is what stops it (Node's own REPL uses
 * it for `while (true) {}`): V8 terminates the running script when SIGINT arrives and the call
 * throws. The terminal must then deliver Ctrl-C as a signal, so readline's raw mode is left for
 * the duration (see repl.ts). Loaded with the session only.
 */
import { Script } from 'node:vm';
import { Config } from '../../engine/config.js';
import { UsageError } from '../errors.js';

/** The work of one line, stopped by Ctrl-C: the session shows it as an error and goes on. */
export class InterruptedError extends UsageError {
  constructor() {
    super('interrupted (Ctrl-C): the line was stopped', 'nothing it would have changed was changed');
    this.name = 'InterruptedError';
  }
}

const KEY = Symbol.for('dezero-grad.interruptible');
const holder = globalThis as unknown as Record<symbol, (() => unknown) | undefined>;
/** Calls the work stored under KEY; compiled once. */
const SCRIPT = new Script(`globalThis[Symbol.for('dezero-grad.interruptible')]()`);
let depth = 0;

/**
 * Runs `work` so that Ctrl-C (a SIGINT) stops it with an InterruptedError. Only its synchronous
 * part is covered: work after an `await` needs a call of its own. A call inside another is just
 * a call.
 */
export function interruptible<T>(work: () => T): T {
  if (depth > 0) return work();
  depth++;
  const previous = holder[KEY];
  holder[KEY] = work;
  // A stopped script runs none of its `finally` blocks: the engine's switches are put back here.
  const config = { ...Config };
  try {
    return SCRIPT.runInThisContext({ breakOnSigint: true }) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') {
      Object.assign(Config, config);
      throw new InterruptedError();
    }
    throw e;
  } finally {
    holder[KEY] = previous;
    depth--;
  }
}

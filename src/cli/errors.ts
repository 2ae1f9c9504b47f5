/**
 * Errors that end the program with a known exit code. Everything below the CLI entry throws these
 * (or ExprError) instead of touching `process`; the entry prints the message and returns the code.
 */
import { ScalarOnlyError, TensorError } from '../engine/tensor.js';

export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  BAD_INPUT: 2,
  CHECK_MISMATCH: 3,
  INTERRUPTED: 130,
} as const;

/** A user error: bad usage, a malformed value, a missing variable. Exit 2, no stack trace. */
export class UsageError extends Error {
  readonly exitCode: number = EXIT.BAD_INPUT;
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'UsageError';
    this.hint = hint;
  }
}

/**
 * Bad input in a file, with its place: `where` is `file:line`, and formatError says
 * `dezero-grad: step.dz:3:5: message` with the line and its caret.
 */
export class PlacedError extends UsageError {
  constructor(
    readonly error: UsageError | (Error & { hint?: string }),
    readonly where: string,
  ) {
    super(error.message, error.hint);
  }
}

/** Ends the program quietly with a code (a closed pipe, Ctrl-C at a prompt, --help). */
export class ExitSignal extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitSignal';
  }
}

/**
 * An engine error about a value (shapes an op cannot take, a tensor past the size limit, a tensor
 * where only numbers are handled yet) is bad input: exit 2, one line, no stack trace.
 */
export function asUsageError(e: unknown): unknown {
  if (!(e instanceof TensorError)) return e;
  const hint = e instanceof ScalarOnlyError ? 'the trace, --quiet and --json take vectors and matrices' : undefined;
  return new UsageError(e.message, hint);
}

/** What the program needs from its surroundings; the entry fills it from `process`, tests with fakes. */
export interface IO {
  /** Write to standard output / error. */
  out(text: string): void;
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  /** Whether standard error is a terminal (asked only by the paths with a progress line). Absent: no. */
  stderrIsTTY?(): Promise<boolean>;
  /**
   * Calls `handler` on Ctrl-C (SIGINT) instead of ending the program, until the returned function
   * is called. Absent: Ctrl-C cannot be caught.
   */
  onInterrupt?(handler: () => void): () => void;
  /** Terminal width, when standard output is a terminal. */
  columns?: number;
  /** Terminal height, when standard output is a terminal (for --plot). */
  rows?: number;
  /** All of standard input as text. */
  readStdin(): Promise<string>;
  /** Standard input as it arrives, for streaming (`--x -`); absent: read it all with readStdin. */
  stdinChunks?(): AsyncIterable<string>;
  readFile(path: string): Promise<string>;
  /**
   * Ask for a variable's value on a terminal; resolves to the text typed. Absent: never ask.
   * Rejects with ExitSignal(130) on Ctrl-C.
   */
  ask?(name: string, validate: (text: string) => string | true): Promise<string>;
  /** Text as UTF-8, bytes as they are (a PNG). */
  writeFile?(path: string, data: string | Uint8Array): Promise<void>;
  /**
   * Draws DOT text into `file` with Graphviz (`dot -T<format> -o <file>`): 'missing' when `dot` is
   * not installed. Absent: --graph is unavailable.
   */
  runGraphviz?(dot: string, format: string, file: string): Promise<'ok' | 'missing' | { error: string }>;
  /** Standard input and output as streams, for the REPL's readline. Absent: input via readStdin. */
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /**
   * Ask the user to pick one of `choices` on a terminal; resolves to the choice. Absent: never ask.
   * Rejects with ExitSignal(130) on Ctrl-C.
   */
  choose?(message: string, choices: readonly string[]): Promise<string>;
}

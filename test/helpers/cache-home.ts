/**
 * Imported for its effect by every test file that runs the built binary (and by the helpers that
 * run it): the binary's V8 code cache (src/cli/code-cache.ts) goes into a temporary
 * XDG_CACHE_HOME of this test process, removed when it exits, never into the user's ~/.cache.
 * Every child (spawnSync, a shell, a tmux server) inherits it through process.env; a test that
 * is about the cache gives its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CACHE_HOME = mkdtempSync(join(tmpdir(), 'dezero-grad-cache-'));
process.env.XDG_CACHE_HOME = CACHE_HOME;
process.on('exit', () => rmSync(CACHE_HOME, { recursive: true, force: true }));

// The layers of src/, one a folder, and the direction of every import between them:
//
//   engine <- expr <- batch <- api <- report <- index.ts <- cli (cli/repl is part of cli)
//
// "A <- B": B may import A. version.ts is a leaf anyone may import. Every specifier counts: static
// imports, `import type`, `export ... from`, dynamic `import('...')` and `typeof import('...')`.
// A cycle among src files is an error too, type imports included.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

const LAYERS = ['engine', 'expr', 'batch', 'api', 'report', 'index', 'cli'] as const;
type Layer = (typeof LAYERS)[number] | 'version';

interface Import {
  specifier: string;
  /** 'type': erased at run time; 'dynamic': loaded on first use; 'static': loaded with the file. */
  kind: 'static' | 'type' | 'dynamic';
}

/** Every .ts file under src/, as paths relative to it with forward slashes. */
function sourceFiles(dir = SRC): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(relative(SRC, path).split('\\').join('/'));
  }
  return out.sort();
}

/** The file's layer by its folder; undefined for a file in none. */
function layerOf(file: string): Layer | undefined {
  if (file === 'index.ts') return 'index';
  if (file === 'version.ts') return 'version';
  const folder = file.split('/')[0];
  return (LAYERS as readonly string[]).includes(folder) && folder !== 'index' ? (folder as Layer) : undefined;
}

/** The module specifiers of a file, read from its syntax tree (comments and strings do not count). */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || allTypeSpecifiers(clause));
      found.push({ specifier: node.moduleSpecifier.text, kind: typeOnly ? 'type' : 'static' });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, kind: node.isTypeOnly ? 'type' : 'static' });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg !== undefined && ts.isStringLiteralLike(arg)) found.push({ specifier: arg.text, kind: 'dynamic' });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      // `typeof import('...')`
      const { literal } = node.argument;
      if (ts.isStringLiteral(literal)) found.push({ specifier: literal.text, kind: 'type' });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `import { type A, type B } from ...`: erased like `import type`. */
function allTypeSpecifiers(clause: ts.ImportClause): boolean {
  const bindings = clause.namedBindings;
  return (
    clause.name === undefined &&
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((e) => e.isTypeOnly)
  );
}

/** A relative specifier as the src file it names (`./a.js` is `a.ts`); undefined for a package. */
function resolve(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return normalize(join(dirname(from), specifier))
    .split('\\')
    .join('/')
    .replace(/\.js$/, '.ts');
}

const files = sourceFiles();
const graph = new Map(files.map((f) => [f, importsOf(f).map((i) => ({ ...i, target: resolve(f, i.specifier) }))]));

test('every file under src/ is in a layer', () => {
  assert.ok(files.length > 30, `found only ${files.length} files under ${SRC}`);
  const homeless = files.filter((f) => layerOf(f) === undefined);
  const folders = LAYERS.filter((l) => l !== 'index').join(', ');
  assert.deepEqual(homeless, [], `files in no layer (the folders are ${folders}; index.ts and version.ts at the top)`);
});

test('imports point one way: engine <- expr <- batch <- api <- report <- index.ts <- cli', () => {
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(file)!;
    for (const i of imports) {
      if (i.target === undefined) continue;
      const where = `${file} imports ${i.kind === 'static' ? '' : `(${i.kind}) `}'${i.specifier}'`;
      if (!graph.has(i.target)) {
        wrong.push(`${where}, which is not a file under src/`);
        continue;
      }
      const to = layerOf(i.target)!;
      if (from === 'version') wrong.push(`${where}: version.ts is a leaf`);
      else if (to !== 'version' && LAYERS.indexOf(to) > LAYERS.indexOf(from)) {
        const what = to === 'index' ? 'the public entry' : 'a layer above it';
        wrong.push(`${where}: ${from} must not import ${to} (${what})`);
      }
    }
  }
  assert.deepEqual(wrong, [], `wrong-way imports:\n  ${wrong.join('\n  ')}`);
});

test('no import cycle among src files (type and dynamic imports included)', () => {
  const cycles: string[] = [];
  // Depth-first with an explicit path: a file met again while still on the path closes a cycle.
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const walk = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const { target } of graph.get(file) ?? []) {
      if (target === undefined || !graph.has(target)) continue;
      if (state.get(target) === 'open') cycles.push([...path.slice(path.indexOf(target)), target].join(' -> '));
      else if (state.get(target) === undefined) walk(target);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) walk(file);
  assert.deepEqual(cycles, [], `import cycles:\n  ${cycles.join('\n  ')}`);
});

test('no I/O below the CLI: engine, expr, batch (but its thread pool), api and report import no node: module', () => {
  const io: string[] = [];
  for (const [file, imports] of graph) {
    const layer = layerOf(file)!;
    if (!['engine', 'expr', 'batch', 'api', 'report'].includes(layer) || file === 'batch/pool.ts') continue;
    for (const i of imports) if (i.specifier.startsWith('node:')) io.push(`${file} imports '${i.specifier}'`);
  }
  assert.deepEqual(io, []);
});

test('start-up loads no mathjs, @inquirer/prompts, chalk, REPL or plotting: only a dynamic import does', () => {
  // The files cli/main.ts loads with itself: its static imports, and theirs.
  const loaded = new Set<string>(['cli/main.ts']);
  const packages = new Map<string, string>();
  const todo = ['cli/main.ts'];
  while (todo.length > 0) {
    const file = todo.pop()!;
    for (const i of graph.get(file) ?? []) {
      if (i.kind !== 'static') continue;
      if (i.target === undefined) packages.set(i.specifier, file);
      else if (!loaded.has(i.target)) {
        loaded.add(i.target);
        todo.push(i.target);
      }
    }
  }
  const heavy = [...packages].filter(([p]) =>
    ['mathjs', '@inquirer/prompts', 'chalk', 'node:readline', 'd3-contour', '@resvg/resvg-js'].includes(p),
  );
  assert.deepEqual(
    heavy.map(([p, file]) => `${file} imports '${p}'`),
    [],
  );
  const lazy = [...loaded].filter(
    (f) =>
      f.startsWith('cli/repl/') || ['expr/mathjs.ts', 'cli/plot.ts', 'report/plot.ts', 'report/svg.ts'].includes(f),
  );
  assert.deepEqual(lazy, [], 'these are for the REPL, the symbolic oracle and --plot only');
  // Not on a one-point run either: each path's code comes in its own chunk (scripts/build.mjs), so
  // the start file the code cache keeps stays small.
  const paths = [
    'cli/batch.ts',
    'cli/program-file.ts',
    'cli/optimize.ts',
    'api/check.ts',
    'report/check.ts',
    'api/program.ts',
    'api/minimize.ts',
    'api/root.ts',
  ].filter((f) => loaded.has(f));
  assert.deepEqual(paths, [], 'many points, programs, --check and minimize/root are loaded on their paths only');
});

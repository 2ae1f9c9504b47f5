/**
 * Values for vectors and matrices from text and files, as pure functions (no I/O: the caller
 * reads the file and passes its bytes): `--W "[1, 2; 3, 4]"` in the expression grammar (constants
 * only), and `@weights.csv`, `.json` (nested arrays) and `.npy` (numpy's format, versions 1 to 3)
 * decoded to a shape and its elements in row-major order. Each refuses more than MAX_ELEMENTS
 * before allocating them, and says what is wrong and where (the file, the line and the column).
 */
import { childrenOf, type Node } from './ast.js';
import { evaluateConstant } from './constant.js';
import { ExprError } from './errors.js';
import { parse } from './parse.js';
import { rangeValues } from './lower.js';
import { MAX_ELEMENTS } from '../engine/tensor.js';
import { fold } from './walk.js';

/** A vector or matrix (any number of dimensions; `[]` is a number): its shape and row-major elements. */
export interface TensorData {
  shape: number[];
  data: Float64Array;
}

/** A file that cannot be read as a value: which file, and for text the line and column (1-based). */
export class DataFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}${column === undefined ? '' : `:${column}`}`}: ${message}`);
    this.name = 'DataFileError';
  }
}

const tooMany = (n: number): string => `${n} elements is more than the limit of ${MAX_ELEMENTS}`;

/**
 * A value written in the expression grammar: a number or constant expression (`pi/4`), or a
 * matrix literal of them (`[1, 2; 3, 4]`, `[[1, 2], [3, 4]]`), or a range (`0:0.5:2`). No
 * variables. Errors are ExprErrors with the caret.
 */
export function parseValue(text: string): TensorData {
  const root = parse(text);
  // Each element (a scalar expression) is evaluated as a constant; the brackets give the shape.
  const parts = fold<TensorData>(
    root,
    (node, args): TensorData => {
      if (node.type === 'matrix') return stacked(node, args, text);
      if (node.type === 'range') return rangeData(node, args, text);
      const value = evaluateConstant(
        text.slice(0, node.start).replace(/[^\n]/g, ' ') + text.slice(node.start, node.end),
      );
      return { shape: [], data: Float64Array.of(value) };
    },
    (node) => (node.type === 'matrix' || node.type === 'range' ? childrenOf(node) : []),
  );
  return parts;
}

function stacked(node: Node, args: TensorData[], text: string): TensorData {
  const inner = args[0].shape;
  for (let i = 1; i < args.length; i++) {
    const s = args[i].shape;
    if (s.length !== inner.length || s.some((n, k) => n !== inner[k])) {
      const at = (node as { args: Node[] }).args[i];
      throw new ExprError(
        `ragged matrix: element ${i + 1} has shape [${s.join(', ')}] but element 1 has [${inner.join(', ')}]`,
        text,
        at.start,
      );
    }
  }
  const size = args.reduce((n, a) => n + a.data.length, 0);
  if (size > MAX_ELEMENTS) throw new ExprError(tooMany(size), text, node.start);
  const data = new Float64Array(size);
  let offset = 0;
  for (const a of args) {
    data.set(a.data, offset);
    offset += a.data.length;
  }
  return { shape: [args.length, ...inner], data };
}

function rangeData(node: Node, args: TensorData[], text: string): TensorData {
  for (const a of args) {
    if (a.shape.length > 0) throw new ExprError("a range's parts are numbers", text, node.start);
  }
  const [start, step, end] = args.length === 3 ? args.map((a) => a.data[0]) : [args[0].data[0], 1, args[1].data[0]];
  // The same elements as the builder's range (mathjs's): one more addition of the step each.
  const data = Float64Array.from(rangeValues(start, step, end, node, text));
  return { shape: [data.length], data };
}

// ---- files -------------------------------------------------------------------------------------

/** Decodes a file by its extension: `.csv`, `.json` or `.npy`. `file` is its name, for messages. */
export function decodeFile(file: string, bytes: Uint8Array): TensorData {
  const ext = /\.([A-Za-z0-9]+)$/.exec(file)?.[1]?.toLowerCase();
  if (ext === 'npy') return decodeNpy(file, bytes);
  if (ext === 'csv' || ext === 'json') {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new DataFileError('is not UTF-8 text', file);
    }
    return ext === 'csv' ? decodeCsv(file, text) : decodeJson(file, text);
  }
  throw new DataFileError('a value file ends in .csv, .json or .npy', file);
}

/** A decimal number as our lexer reads one (with a sign): no hex, no `1_000`, no empty field. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Comma-separated numbers, one row a line (blank lines and `#` comment lines skipped, spaces
 * around a number allowed). One row is a vector, shape [n]; several are a matrix, shape [m, n].
 */
export function decodeCsv(file: string, text: string): TensorData {
  // Count the fields first, so that too many are refused before any is stored.
  let fields = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44 || c === 10) fields++;
  }
  if (fields > MAX_ELEMENTS + 1_000_000) throw new DataFileError(`has at least ${tooMany(fields)}`, file);
  const values: number[] = [];
  let width = -1;
  let rows = 0;
  let firstRowLine = 0;
  const lines = text.split('\n');
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l].endsWith('\r') ? lines[l].slice(0, -1) : lines[l];
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    let column = 1;
    const cells = line.split(',');
    for (const cell of cells) {
      const trimmed = cell.trim();
      const at = column + (cell.length - cell.trimStart().length);
      if (trimmed === '') throw new DataFileError('an empty field (a number is missing)', file, l + 1, at);
      if (!NUMBER.test(trimmed)) {
        throw new DataFileError(
          `'${trimmed.length > 20 ? `${trimmed.slice(0, 20)}...` : trimmed}' is not a number`,
          file,
          l + 1,
          at,
        );
      }
      const v = Number(trimmed);
      if (!Number.isFinite(v)) throw new DataFileError(`'${trimmed}' is beyond the largest double`, file, l + 1, at);
      values.push(v);
      column += cell.length + 1;
    }
    if (width < 0) {
      width = cells.length;
      firstRowLine = l + 1;
    } else if (cells.length !== width) {
      throw new DataFileError(
        `this row has ${cells.length} number${cells.length === 1 ? '' : 's'} but the row on line ${firstRowLine} has ${width}`,
        file,
        l + 1,
        1,
      );
    }
    rows++;
    if (values.length > MAX_ELEMENTS)
      throw new DataFileError(`has more than ${MAX_ELEMENTS} elements (the limit)`, file, l + 1);
  }
  if (rows === 0) throw new DataFileError('holds no numbers (an empty value is not supported)', file);
  return { shape: rows === 1 ? [width] : [rows, width], data: Float64Array.from(values) };
}

/** 1-based line and column of a UTF-16 offset in `text`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** JSON's number syntax. */
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * A number or nested arrays of numbers, rectangular at every level: `[[1, 2], [3, 4]]`. Read by
 * hand (JSON's arrays and numbers are all a value file holds), so that every error has its line
 * and column, and the elements are counted before they are stored.
 */
export function decodeJson(file: string, text: string): TensorData {
  const fail = (message: string, at: number): never => {
    const { line, column } = lineColumn(text, at);
    throw new DataFileError(message, file, line, column);
  };
  // One pass for the shape (the first element's at each level), checking every array against it.
  let shape: number[] | undefined;
  const open: { start: number; count: number }[] = []; // the arrays being read
  const values: number[] = [];
  let i = 0;
  let expectValue = true;
  let done = false;
  const skipSpace = (): void => {
    while (i < text.length && /[ \t\r\n]/.test(text[i])) i++;
  };
  skipSpace();
  if (text.charCodeAt(0) === 0xfeff) i++;
  while (!done) {
    skipSpace();
    if (i >= text.length) fail(open.length > 0 ? "the file ends inside an array: ']' is missing" : 'holds no value', i);
    const c = text[i];
    if (expectValue) {
      if (c === '[') {
        open.push({ start: i, count: 0 });
        if (shape !== undefined && open.length > shape.length)
          fail('ragged: an array where the first element at this level is a number', i);
        i++;
        continue;
      }
      if (c === ']' && open.length > 0 && open[open.length - 1].count === 0)
        fail('an empty array (an empty value is not supported)', i);
      JSON_NUMBER.lastIndex = i;
      const m = JSON_NUMBER.exec(text);
      if (m === null) {
        const what =
          c === '"'
            ? 'a string'
            : c === '{'
              ? 'an object'
              : /[A-Za-z]/.test(c)
                ? `'${/^[A-Za-z]+/.exec(text.slice(i))![0]}'`
                : `'${c}'`;
        fail(`${what} where a number or '[' belongs`, i);
      }
      const v = Number(m![0]);
      if (!Number.isFinite(v)) fail(`${m![0]} is beyond the largest double`, i);
      if (shape === undefined) shape = open.map(() => 0); // set from the first number's depth
      if (open.length !== shape.length) fail('ragged: a number where the first element at this level is an array', i);
      if (values.length >= MAX_ELEMENTS) fail(`holds more than ${MAX_ELEMENTS} numbers (the limit)`, i);
      values.push(v);
      i += m![0].length;
      expectValue = false;
      if (open.length === 0) done = true;
      continue;
    }
    // After a value: ',' or ']' inside an array.
    const top = open[open.length - 1];
    if (top === undefined) break;
    if (c === ',') {
      top.count++;
      i++;
      expectValue = true;
      skipSpace();
      if (text[i] === ']') fail("a ',' before ']' (JSON has no trailing commas)", i - 1);
      continue;
    }
    if (c === ']') {
      open.pop();
      const n = top.count + 1;
      const depth = open.length;
      if (shape![depth] === 0) shape![depth] = n;
      else if (shape![depth] !== n) {
        fail(
          `ragged: this array has ${n} element${n === 1 ? '' : 's'} where the first at its level has ${shape![depth]}`,
          top.start,
        );
      }
      i++;
      if (open.length === 0) done = true;
      continue;
    }
    fail(`'${c}' where ',' or ']' belongs`, i);
  }
  skipSpace();
  if (i < text.length) fail('more after the value', i);
  return { shape: shape!, data: Float64Array.from(values) };
}

/** numpy's element types that are read, by their `descr` without the byte order. */
const NPY_TYPES: Readonly<Record<string, { size: number; read: (view: DataView, at: number) => number }>> = {
  f8: { size: 8, read: (v, at) => v.getFloat64(at, true) },
  f4: { size: 4, read: (v, at) => v.getFloat32(at, true) },
  i8: { size: 8, read: (v, at) => Number(v.getBigInt64(at, true)) },
  i4: { size: 4, read: (v, at) => v.getInt32(at, true) },
  b1: { size: 1, read: (v, at) => (v.getUint8(at) === 0 ? 0 : 1) },
};

/**
 * numpy's `.npy` (format versions 1, 2 and 3): little-endian float64, float32, int64, int32 or
 * bool, in C order. Fortran order, big-endian and object arrays are refused, saying so.
 */
export function decodeNpy(file: string, bytes: Uint8Array): TensorData {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) {
    throw new DataFileError('is not a .npy file (no \\x93NUMPY at its start)', file);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3)
    throw new DataFileError(`is .npy format version ${major}; versions 1 to 3 are read`, file);
  const headerLength = major === 1 ? view.getUint16(8, true) : bytes.length >= 12 ? view.getUint32(8, true) : -1;
  const headerStart = major === 1 ? 10 : 12;
  if (headerLength < 0 || headerStart + headerLength > bytes.length)
    throw new DataFileError('is cut short in its header', file);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, headerStart + headerLength),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataFileError("has a header without 'descr', 'fortran_order' and 'shape'", file);
  }
  if (fortran === 'True') {
    throw new DataFileError('is in Fortran order; save it in C order (numpy.ascontiguousarray) to read it', file);
  }
  if (descr.includes('O')) throw new DataFileError('holds Python objects; only numbers can be read', file);
  const order = descr[0];
  const type = NPY_TYPES[descr.slice(1)];
  if (type === undefined || !(order === '<' || order === '|' || (order === '=' && type.size === 1))) {
    throw new DataFileError(
      `holds ${descr} elements; float64, float32, int64, int32 and bool, little-endian (<f8 <f4 <i8 <i4 |b1), are read`,
      file,
    );
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new DataFileError(`has a bad shape (${shapeText})`, file);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count === 0) throw new DataFileError('is empty (an empty value is not supported)', file);
  if (count > MAX_ELEMENTS) throw new DataFileError(`has ${tooMany(count)}`, file);
  const dataStart = headerStart + headerLength;
  if (bytes.length - dataStart < count * type.size) {
    throw new DataFileError(
      `is cut short: shape (${shape.join(', ')}) needs ${count * type.size} bytes of data, it has ${bytes.length - dataStart}`,
      file,
    );
  }
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = type.read(view, dataStart + i * type.size);
  return { shape, data };
}

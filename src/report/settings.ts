/**
 * How the renderers print, as one small record: built once at the edge (the CLI makes it from
 * --precision, its colour decision and the terminal's width) and handed to every renderer, which
 * reads what applies to it (JSON: only the precision).
 */
import type { Style } from './style.js';

export interface RenderSettings {
  /** Significant digits; undefined: the shortest string that reads back as the same double. */
  precision?: number;
  /** The palette; undefined: PLAIN, no colour. */
  style?: Style;
  /** Terminal width: lines that would be wider are not padded into columns. */
  width?: number;
}

/** The row formats for many points (`--format`); here, not in table.ts, so that --help's choices load no renderer. */
export type BatchFormat = 'table' | 'tsv' | 'csv';
export const BATCH_FORMATS: readonly BatchFormat[] = ['table', 'tsv', 'csv'];

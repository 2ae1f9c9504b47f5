/**
 * `:minimize [METHOD]` and `:root [METHOD] [a:b]`: the subcommands' searches on the session's last
 * expression, starting from the values it was evaluated at.
 */
import { METHODS, Minimization, type Method } from '../../api/minimize.js';
import { ROOT_METHODS, RootSearch, type RootMethod } from '../../api/root.js';
import { renderMinimizeText, renderRootText } from '../../report/optimize.js';
import { UsageError } from '../errors.js';
import { rootUsage } from '../optimize.js';
import { scalarValues, type ReplSession } from './state.js';

export function minimizeText(s: ReplSession, arg: string): string {
  const words = arg.split(/\s+/).filter((w) => w !== '');
  // `:minimize [METHOD] [NAME ...]`: the names are the variables to move (the others are data).
  const method = (METHODS as readonly string[]).includes(words[0]) ? words.shift()! : 'lbfgs';
  const last = s.requireLast('minimize');
  const unknown = words.find((w) => !last.values.has(w));
  if (unknown !== undefined) {
    throw new UsageError(
      `:minimize takes an optional method and the variables to move, got '${arg}'`,
      `a method is one of ${METHODS.join(', ')}; the variables are ${[...last.values.keys()].join(', ')}`,
    );
  }
  const wrt = words.length > 0 ? { wrt: words } : {};
  const search = new Minimization(last.root, last.values, { method: method as Method, trajectory: 'thinned', ...wrt });
  return renderMinimizeText({ ...search.finish(), expression: last.source }, s.settings);
}

export function rootText(s: ReplSession, arg: string): string {
  const words = arg.split(/\s+/).filter((w) => w !== '');
  const [method = 'newton', bracketText, ...rest] = words;
  const bracket = bracketText?.split(':').map(Number);
  if (
    !(ROOT_METHODS as readonly string[]).includes(method) ||
    rest.length > 0 ||
    (bracket !== undefined && (bracket.length !== 2 || !bracket.every(Number.isFinite)))
  ) {
    throw new UsageError(
      `:root takes an optional method and bracket, got '${arg}'`,
      'write :root, :root secant or :root bisect 0:2',
    );
  }
  const last = s.requireLast('root');
  const values = scalarValues(last, 'root');
  try {
    const search = new RootSearch(last.root, values, {
      method: method as RootMethod,
      bracket: bracket as [number, number] | undefined,
      trajectory: 'thinned',
    });
    return renderRootText({ ...search.finish(), expressions: [last.source.trim()] }, s.settings);
  } catch (e) {
    throw rootUsage(e, method as RootMethod);
  }
}

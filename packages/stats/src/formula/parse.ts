import { StatsError, StatsErrorCode } from '../errors.js';
import type { Formula, FormulaResponse, FormulaTerm, FormulaVariable, NumericTransform } from './types.js';

type Token = { kind: 'name' | 'number' | 'op'; text: string; pos: number };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (/[A-Za-z_.]/.test(ch)) {
      const m = /^[A-Za-z_.][A-Za-z0-9_.]*/.exec(src.slice(i))!;
      tokens.push({ kind: 'name', text: m[0], pos: i });
      i += m[0].length;
    } else if (/[0-9]/.test(ch)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], pos: i });
      i += m[0].length;
    } else if ('~+-:*(),'.includes(ch)) {
      tokens.push({ kind: 'op', text: ch, pos: i });
      i++;
    } else if (ch === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw syntax(src, i, 'unterminated backquote');
      tokens.push({ kind: 'name', text: src.slice(i + 1, end), pos: i });
      i = end + 1;
    } else {
      throw syntax(src, i, `unexpected character '${ch}'`);
    }
  }
  return tokens;
}

/**
 * Limits a formula must stay within, checked while parsing and before any expansion: `a*b*c*...` doubles
 * the term list with every factor, so `y ~ v0*v1*...*v18` would build 2^19 terms before anything could
 * refuse it. No model fitted here needs more (a GLM with 1,000 terms is far past the parameters-to-rows
 * limits of any node).
 */
export const FORMULA_LIMITS = {
  /** Characters of formula text. */
  maxLength: 4096,
  /** Distinct variables on the right-hand side. */
  maxVariables: 256,
  /** Terms of the model (main effects plus interactions), at every step of the expansion. */
  maxTerms: 1024,
  /** Variables in one interaction term (`a:b:c` has order 3). */
  maxInteractionOrder: 8,
} as const;

/** A formula past one of {@link FORMULA_LIMITS}; `limit` names which. */
export class FormulaLimitError extends StatsError {
  readonly limit: keyof typeof FORMULA_LIMITS;
  constructor(limit: keyof typeof FORMULA_LIMITS, message: string) {
    super(StatsErrorCode.FormulaTooLarge, message);
    this.limit = limit;
  }
}

function tooLarge(src: string, limit: keyof typeof FORMULA_LIMITS, what: string): FormulaLimitError {
  const shown = src.length > 80 ? `${src.slice(0, 77)}...` : src;
  return new FormulaLimitError(
    limit,
    `formula "${shown}": ${what} (limit ${limit} = ${FORMULA_LIMITS[limit]})`,
  );
}

function syntax(src: string, pos: number, what: string): StatsError {
  return new StatsError(StatsErrorCode.FormulaSyntax, `formula "${src}": ${what} at position ${pos}`);
}

const TRANSFORMS: Record<string, NumericTransform> = { log: 'log', exp: 'exp', sqrt: 'sqrt' };

/** Set of variable indices, as a sorted key. */
type TermSet = number[];
interface RhsResult {
  terms: TermSet[];
  intercept: boolean | null; // null = not mentioned
}

/** Recursive-descent parser over the tokens of one formula. */
class Parser {
  i = 0;
  readonly variables: FormulaVariable[] = [];
  readonly offsets: FormulaVariable[] = [];
  readonly strata: FormulaVariable[] = [];
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw syntax(this.src, this.src.length, 'unexpected end of formula');
    return t;
  }
  expect(text: string): void {
    const t = this.next();
    if (t.text !== text) throw syntax(this.src, t.pos, `expected '${text}' but found '${t.text}'`);
  }
  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }

  /** A variable reference: name, factor(name), log(name), exp(name), sqrt(name). */
  variableRef(): FormulaVariable {
    const t = this.next();
    if (t.kind !== 'name') throw syntax(this.src, t.pos, `expected a variable name, found '${t.text}'`);
    if (this.peek()?.text !== '(') return { label: t.text, column: t.text, kind: 'auto', transform: 'none' };
    this.expect('(');
    const fn = t.text;
    if (fn === 'factor' || fn === 'as.factor') {
      const inner = this.variableRef();
      this.expect(')');
      if (inner.transform !== 'none' || inner.kind !== 'auto') {
        throw syntax(this.src, t.pos, 'factor() takes a plain column name');
      }
      return { label: `${fn}(${inner.column})`, column: inner.column, kind: 'factor', transform: 'none' };
    }
    const transform = TRANSFORMS[fn];
    if (!transform) throw syntax(this.src, t.pos, `unsupported function '${fn}()'`);
    const inner = this.variableRef();
    this.expect(')');
    if (inner.transform !== 'none' || inner.kind !== 'auto') {
      throw syntax(this.src, t.pos, `${fn}() takes a plain column name`);
    }
    return { label: `${fn}(${inner.column})`, column: inner.column, kind: 'auto', transform };
  }

  indexOf(v: FormulaVariable): number {
    const k = this.variables.findIndex((u) => u.label === v.label);
    if (k >= 0) return k;
    if (this.variables.length >= FORMULA_LIMITS.maxVariables)
      throw tooLarge(this.src, 'maxVariables', `more than ${FORMULA_LIMITS.maxVariables} variables`);
    this.variables.push(v);
    return this.variables.length - 1;
  }

  sum(): RhsResult {
    let acc = this.product();
    for (;;) {
      const t = this.peek();
      if (!t || (t.text !== '+' && t.text !== '-')) return acc;
      this.next();
      const rhs = this.product();
      if (t.text === '+') {
        acc = { terms: this.bounded(union(acc.terms, rhs.terms)), intercept: rhs.intercept ?? acc.intercept };
      } else {
        const drop = new Set(rhs.terms.map(key));
        acc = {
          terms: acc.terms.filter((s) => !drop.has(key(s))),
          intercept: rhs.intercept === true ? false : rhs.intercept === false ? true : acc.intercept,
        };
      }
    }
  }

  product(): RhsResult {
    let acc = this.interaction();
    while (this.peek()?.text === '*') {
      this.next();
      const rhs = this.interaction();
      acc = {
        terms: this.bounded(union(union(acc.terms, rhs.terms), this.cross(acc.terms, rhs.terms))),
        intercept: acc.intercept,
      };
    }
    return acc;
  }

  interaction(): RhsResult {
    let acc = this.atom();
    while (this.peek()?.text === ':') {
      this.next();
      const rhs = this.atom();
      acc = { terms: this.cross(acc.terms, rhs.terms), intercept: acc.intercept };
    }
    return acc;
  }

  /** All pairwise interactions of two term lists, refused before enumerating when it would be too many. */
  cross(a: TermSet[], b: TermSet[]): TermSet[] {
    if (a.length * b.length > FORMULA_LIMITS.maxTerms)
      throw tooLarge(
        this.src,
        'maxTerms',
        `the interaction of ${a.length} and ${b.length} terms expands to up to ${a.length * b.length} terms`,
      );
    const out = cross(a, b);
    for (const s of out)
      if (s.length > FORMULA_LIMITS.maxInteractionOrder)
        throw tooLarge(this.src, 'maxInteractionOrder', `an interaction of ${s.length} variables`);
    return this.bounded(out);
  }

  bounded(terms: TermSet[]): TermSet[] {
    if (terms.length > FORMULA_LIMITS.maxTerms)
      throw tooLarge(this.src, 'maxTerms', `the model expands to more than ${FORMULA_LIMITS.maxTerms} terms`);
    return terms;
  }

  atom(): RhsResult {
    const t = this.peek();
    if (!t) throw syntax(this.src, this.src.length, 'unexpected end of formula');
    if (t.text === '(') {
      this.next();
      const r = this.sum();
      this.expect(')');
      return r;
    }
    if (t.kind === 'number') {
      this.next();
      if (t.text === '0') return { terms: [], intercept: false };
      if (t.text === '1') return { terms: [], intercept: true };
      throw syntax(this.src, t.pos, `only 0 or 1 may appear as a number, found '${t.text}'`);
    }
    if (t.text === 'offset' && this.tokens[this.i + 1]?.text === '(') {
      this.next();
      this.expect('(');
      const v = this.variableRef();
      this.expect(')');
      this.offsets.push(v);
      return { terms: [], intercept: null };
    }
    if (t.text === 'strata' && this.tokens[this.i + 1]?.text === '(') {
      this.next();
      this.expect('(');
      this.strata.push(this.variableRef());
      while (this.peek()?.text === ',') {
        this.next();
        this.strata.push(this.variableRef());
      }
      this.expect(')');
      return { terms: [], intercept: null };
    }
    if (t.kind !== 'name') throw syntax(this.src, t.pos, `unexpected '${t.text}'`);
    const v = this.variableRef();
    return { terms: [[this.indexOf(v)]], intercept: null };
  }

  response(): FormulaResponse {
    const t = this.peek();
    if (t?.text === 'Surv' && this.tokens[this.i + 1]?.text === '(') {
      this.next();
      this.expect('(');
      const time = this.variableRef();
      this.expect(',');
      const event = this.variableRef();
      this.expect(')');
      return { kind: 'surv', time, event };
    }
    return { kind: 'variable', variable: this.variableRef() };
  }
}

function key(s: TermSet): string {
  return s.join(',');
}
function union(a: TermSet[], b: TermSet[]): TermSet[] {
  const seen = new Set(a.map(key));
  return [...a, ...b.filter((s) => !seen.has(key(s)) && seen.add(key(s)))];
}
function cross(a: TermSet[], b: TermSet[]): TermSet[] {
  const out: TermSet[] = [];
  for (const x of a) for (const y of b) out.push([...new Set([...x, ...y])].sort((p, q) => p - q));
  return union([], out);
}

/**
 * Parses an R model formula such as `y ~ a + b + factor(c) + a:b + offset(log(n))`,
 * `Surv(time, event) ~ x + strata(centre)`, with `*`, `:`, parentheses, `-term`, `-1`/`+0`/`+1`.
 * Terms come back in R's order (by interaction order, then appearance) and variables inside an
 * interaction in order of first appearance, so labels match R's `terms()`.
 * Throws FH_ERR_STATS_FORMULA_TOO_LARGE, naming the limit, past any of {@link FORMULA_LIMITS}, before
 * expanding further.
 */
export function parseFormula(src: string): Formula {
  if (src.length > FORMULA_LIMITS.maxLength) throw tooLarge(src, 'maxLength', `${src.length} characters`);
  const tokens = tokenize(src);
  const tilde = tokens.findIndex((t) => t.text === '~');
  if (tilde < 0) throw syntax(src, 0, "missing '~'");
  let response: FormulaResponse | null = null;
  if (tilde > 0) {
    const lhs = new Parser(src, tokens.slice(0, tilde));
    response = lhs.response();
    if (!lhs.atEnd()) throw syntax(src, tokens[lhs.i]?.pos ?? 0, 'unexpected text after the response');
  }
  const rhs = new Parser(src, tokens.slice(tilde + 1));
  const r = rhs.sum();
  if (!rhs.atEnd()) throw syntax(src, rhs.peek()!.pos, `unexpected '${rhs.peek()!.text}'`);
  const variables = rhs.variables;
  const sorted = r.terms
    .map((s, idx) => ({ s, idx }))
    .sort((p, q) => p.s.length - q.s.length || p.idx - q.idx)
    .map(({ s }) => s);
  const terms: FormulaTerm[] = sorted.map((s) => ({
    variables: s,
    label: s.map((k) => variables[k]!.label).join(':'),
  }));
  return {
    response,
    variables,
    terms,
    intercept: r.intercept ?? true,
    offsets: rhs.offsets,
    strata: rhs.strata,
  };
}

/**
 * The column names a formula reads, found by tokenizing alone (linear time, no expansion): every name
 * not used as a function (`factor(`, `log(`, `Surv(`, `strata(`, `offset(`). Lets a caller check the
 * columns against what it allows before parsing.
 *
 * @example formulaColumnNames('y ~ factor(a)*log(b)') // ['y', 'a', 'b']
 */
export function formulaColumnNames(src: string): string[] {
  if (src.length > FORMULA_LIMITS.maxLength) throw tooLarge(src, 'maxLength', `${src.length} characters`);
  const tokens = tokenize(src);
  const names = new Set<string>();
  tokens.forEach((t, i) => {
    if (t.kind === 'name' && tokens[i + 1]?.text !== '(') names.add(t.text);
  });
  return [...names];
}

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
        acc = { terms: union(acc.terms, rhs.terms), intercept: rhs.intercept ?? acc.intercept };
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
        terms: union(union(acc.terms, rhs.terms), cross(acc.terms, rhs.terms)),
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
      acc = { terms: cross(acc.terms, rhs.terms), intercept: acc.intercept };
    }
    return acc;
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
 */
export function parseFormula(src: string): Formula {
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

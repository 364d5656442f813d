/**
 * DynamoDB's expression language, for the in-memory store: condition, key-condition, filter,
 * projection and update expressions over plain (document-client) items. It covers the grammar of
 * the developer guide's "Expressions" chapter except sets, `size()` and `list_append`.
 */

type Item = Record<string, unknown>;
type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;

class ExpressionError extends Error {
  override name = 'ValidationException';
}

type Token = { kind: 'name' | 'value' | 'word' | 'number' | 'punct'; text: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|([0-9]+)|(<>|<=|>=|[=<>(),.[\]+-]))/y;
  let at = 0;
  while (at < expression.length) {
    if (/^\s*$/.test(expression.slice(at))) break;
    pattern.lastIndex = at;
    const m = pattern.exec(expression);
    if (!m) throw new ExpressionError(`Invalid expression: unexpected "${expression.slice(at).trim()}" in "${expression}"`);
    at = pattern.lastIndex;
    if (m[1]) tokens.push({ kind: 'name', text: m[1] });
    else if (m[2]) tokens.push({ kind: 'value', text: m[2] });
    else if (m[3]) tokens.push({ kind: 'word', text: m[3] });
    else if (m[4]) tokens.push({ kind: 'number', text: m[4] });
    else tokens.push({ kind: 'punct', text: m[5]! });
  }
  return tokens;
}

/** An attribute path: names and list indexes. */
type Path = (string | number)[];
type Operand = { path: Path } | { value: unknown } | { add: [Operand, Operand, '+' | '-'] } | { ifNotExists: [Path, Operand] };

type Condition =
  | { op: 'and' | 'or'; left: Condition; right: Condition }
  | { op: 'not'; inner: Condition }
  | { op: 'compare'; comparator: string; left: Operand; right: Operand }
  | { op: 'between'; subject: Operand; low: Operand; high: Operand }
  | { op: 'in'; subject: Operand; list: Operand[] }
  | { op: 'exists' | 'notExists'; path: Path }
  | { op: 'beginsWith' | 'contains'; subject: Operand; prefix: Operand };

class Parser {
  private at = 0;
  private readonly tokens: Token[];
  readonly usedNames = new Set<string>();
  readonly usedValues = new Set<string>();

  constructor(
    private readonly expression: string,
    private readonly names: Names,
    private readonly values: Values,
  ) {
    this.tokens = tokenize(expression);
  }

  done(): boolean {
    return this.at >= this.tokens.length;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private isWord(word: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.text.toUpperCase() === word;
  }

  private next(): Token {
    const t = this.tokens[this.at++];
    if (!t) throw new ExpressionError(`Invalid expression: "${this.expression}" ends too early`);
    return t;
  }

  private expect(text: string): void {
    const t = this.next();
    if (t.text.toUpperCase() !== text) throw new ExpressionError(`Invalid expression: expected "${text}", got "${t.text}" in "${this.expression}"`);
  }

  accept(text: string): boolean {
    const t = this.peek();
    if (t && t.text.toUpperCase() === text) {
      this.at++;
      return true;
    }
    return false;
  }

  condition(): Condition {
    let left = this.conjunction();
    while (this.isWord('OR')) {
      this.at++;
      left = { op: 'or', left, right: this.conjunction() };
    }
    return left;
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.isWord('AND')) {
      this.at++;
      left = { op: 'and', left, right: this.negation() };
    }
    return left;
  }

  private negation(): Condition {
    if (this.isWord('NOT')) {
      this.at++;
      return { op: 'not', inner: this.negation() };
    }
    return this.primary();
  }

  private primary(): Condition {
    if (this.accept('(')) {
      const inner = this.condition();
      this.expect(')');
      return inner;
    }
    const t = this.peek();
    const fn = t?.kind === 'word' ? t.text : '';
    if (fn === 'attribute_exists' || fn === 'attribute_not_exists') {
      this.at++;
      this.expect('(');
      const path = this.path();
      this.expect(')');
      return { op: fn === 'attribute_exists' ? 'exists' : 'notExists', path };
    }
    if (fn === 'begins_with' || fn === 'contains') {
      this.at++;
      this.expect('(');
      const subject = this.operand();
      this.expect(',');
      const prefix = this.operand();
      this.expect(')');
      return { op: fn === 'begins_with' ? 'beginsWith' : 'contains', subject, prefix };
    }
    const subject = this.operand();
    if (this.isWord('BETWEEN')) {
      this.at++;
      const low = this.operand();
      this.expect('AND');
      return { op: 'between', subject, low, high: this.operand() };
    }
    if (this.isWord('IN')) {
      this.at++;
      this.expect('(');
      const list = [this.operand()];
      while (this.accept(',')) list.push(this.operand());
      this.expect(')');
      return { op: 'in', subject, list };
    }
    const comparator = this.next().text;
    if (!['=', '<>', '<', '<=', '>', '>='].includes(comparator))
      throw new ExpressionError(`Invalid expression: unknown comparator "${comparator}" in "${this.expression}"`);
    return { op: 'compare', comparator, left: subject, right: this.operand() };
  }

  operand(): Operand {
    const t = this.peek();
    if (t?.kind === 'value') {
      this.at++;
      if (!this.values || !(t.text in this.values))
        throw new ExpressionError(`An expression attribute value used in expression is not defined; attribute value: ${t.text}`);
      this.usedValues.add(t.text);
      return { value: this.values[t.text] };
    }
    if (t?.kind === 'word' && t.text === 'if_not_exists') {
      this.at++;
      this.expect('(');
      const path = this.path();
      this.expect(',');
      const fallback = this.operand();
      this.expect(')');
      return { ifNotExists: [path, fallback] };
    }
    return { path: this.path() };
  }

  /** An update's right-hand side: an operand, or two joined by + or -. */
  setValue(): Operand {
    const left = this.operand();
    if (this.accept('+')) return { add: [left, this.operand(), '+'] };
    if (this.accept('-')) return { add: [left, this.operand(), '-'] };
    return left;
  }

  path(): Path {
    const path: Path = [this.attributeName()];
    for (;;) {
      if (this.accept('.')) path.push(this.attributeName());
      else if (this.accept('[')) {
        const n = this.next();
        if (n.kind !== 'number') throw new ExpressionError(`Invalid expression: a list index must be a number in "${this.expression}"`);
        path.push(Number(n.text));
        this.expect(']');
      } else return path;
    }
  }

  private attributeName(): string {
    const t = this.next();
    if (t.kind === 'name') {
      const name = this.names?.[t.text];
      if (name === undefined) throw new ExpressionError(`An expression attribute name used in the document path is not defined; attribute name: ${t.text}`);
      this.usedNames.add(t.text);
      return name;
    }
    if (t.kind === 'word') {
      if (RESERVED.has(t.text.toUpperCase()))
        throw new ExpressionError(`Invalid expression: Attribute name is a reserved keyword; reserved keyword: ${t.text}`);
      return t.text;
    }
    throw new ExpressionError(`Invalid expression: expected an attribute name, got "${t.text}" in "${this.expression}"`);
  }

  isClause(): 'SET' | 'REMOVE' | 'ADD' | 'DELETE' | null {
    const t = this.peek();
    if (t?.kind !== 'word') return null;
    const word = t.text.toUpperCase();
    return word === 'SET' || word === 'REMOVE' || word === 'ADD' || word === 'DELETE' ? word : null;
  }

  skip(): void {
    this.at++;
  }
}

/**
 * The reserved words our attribute names could collide with (a part of the 573 of the developer guide's list): DynamoDB
 * refuses them unaliased, so the in-memory store must too, or a query would pass here and fail in AWS.
 */
const RESERVED = new Set([
  'ABORT',
  'ACTION',
  'ALL',
  'AND',
  'BETWEEN',
  'BLOCK',
  'BY',
  'COUNT',
  'DATA',
  'DATE',
  'DAY',
  'DELETE',
  'ERROR',
  'HASH',
  'IN',
  'INDEX',
  'ITEM',
  'KEY',
  'KEYS',
  'LEVEL',
  'LIMIT',
  'LOCK',
  'NAME',
  'NOT',
  'NULL',
  'OR',
  'OWNER',
  'RANGE',
  'SECTION',
  'SET',
  'SIZE',
  'SOURCE',
  'STATE',
  'STATUS',
  'TIME',
  'TIMESTAMP',
  'TYPE',
  'USER',
  'VALUE',
  'VALUES',
  'VIEW',
  'WINDOW',
]);

/** DynamoDB orders strings by their UTF-8 bytes: code-point order, unlike JavaScript's UTF-16 `<`. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit < 0xe000) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

/** Orders two scalar values of one type; null when DynamoDB would not compare them (different types). */
function compareValues(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  return null;
}

function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !(a instanceof Uint8Array) && !(b instanceof Uint8Array)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => valuesEqual((a as Item)[k], (b as Item)[k]));
  }
  return false;
}

function read(item: Item | undefined, path: Path): unknown {
  let at: unknown = item;
  for (const part of path) {
    if (at === null || at === undefined || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[part];
  }
  return at;
}

function operandValue(item: Item | undefined, operand: Operand): unknown {
  if ('value' in operand) return operand.value;
  if ('path' in operand) return read(item, operand.path);
  if ('ifNotExists' in operand) {
    const current = read(item, operand.ifNotExists[0]);
    return current === undefined ? operandValue(item, operand.ifNotExists[1]) : current;
  }
  const [l, r, sign] = operand.add;
  const a = operandValue(item, l);
  const b = operandValue(item, r);
  if (typeof a !== 'number' || typeof b !== 'number') throw new ExpressionError('An operand in the update expression has an incorrect data type');
  return sign === '+' ? a + b : a - b;
}

function holds(item: Item | undefined, c: Condition): boolean {
  switch (c.op) {
    case 'and':
      return holds(item, c.left) && holds(item, c.right);
    case 'or':
      return holds(item, c.left) || holds(item, c.right);
    case 'not':
      return !holds(item, c.inner);
    case 'exists':
      return read(item, c.path) !== undefined;
    case 'notExists':
      return read(item, c.path) === undefined;
    case 'beginsWith': {
      const s = operandValue(item, c.subject);
      const p = operandValue(item, c.prefix);
      if (typeof s === 'string' && typeof p === 'string') return s.startsWith(p);
      if (s instanceof Uint8Array && p instanceof Uint8Array) return Buffer.from(s).subarray(0, p.length).equals(p);
      return false;
    }
    case 'contains': {
      const s = operandValue(item, c.subject);
      const p = operandValue(item, c.prefix);
      if (typeof s === 'string' && typeof p === 'string') return s.includes(p);
      if (Array.isArray(s)) return s.some((x) => valuesEqual(x, p));
      return false;
    }
    case 'between': {
      const s = operandValue(item, c.subject);
      const lo = compareValues(s, operandValue(item, c.low));
      const hi = compareValues(s, operandValue(item, c.high));
      return lo !== null && hi !== null && lo >= 0 && hi <= 0;
    }
    case 'in': {
      const s = operandValue(item, c.subject);
      return s !== undefined && c.list.some((o) => valuesEqual(s, operandValue(item, o)));
    }
    case 'compare': {
      const a = operandValue(item, c.left);
      const b = operandValue(item, c.right);
      if (c.comparator === '=') return a !== undefined && valuesEqual(a, b);
      if (c.comparator === '<>') return a === undefined || b === undefined ? a !== b : !valuesEqual(a, b);
      const order = compareValues(a, b);
      if (order === null) return false;
      return c.comparator === '<' ? order < 0 : c.comparator === '<=' ? order <= 0 : c.comparator === '>' ? order > 0 : order >= 0;
    }
  }
}

/** DynamoDB refuses an expression that leaves a name or a value it was given unused. */
function checkAllUsed(parsers: Parser[], names: Names, values: Values): void {
  const usedNames = new Set(parsers.flatMap((p) => [...p.usedNames]));
  const usedValues = new Set(parsers.flatMap((p) => [...p.usedValues]));
  for (const n of Object.keys(names ?? {}))
    if (!usedNames.has(n)) throw new ExpressionError(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${n}}`);
  for (const v of Object.keys(values ?? {}))
    if (!usedValues.has(v)) throw new ExpressionError(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${v}}`);
}

interface ParsedCondition {
  test(item: Item | undefined): boolean;
}

function parseCondition(expression: string, names: Names, values: Values, parsers: Parser[]): ParsedCondition {
  const parser = new Parser(expression, names, values);
  const condition = parser.condition();
  if (!parser.done()) throw new ExpressionError(`Invalid expression: trailing tokens in "${expression}"`);
  parsers.push(parser);
  return { test: (item) => holds(item, condition) };
}

function parseProjection(expression: string, names: Names, parsers: Parser[]): Path[] {
  const parser = new Parser(expression, names, undefined);
  const paths = [parser.path()];
  while (parser.accept(',')) paths.push(parser.path());
  if (!parser.done()) throw new ExpressionError(`Invalid ProjectionExpression: "${expression}"`);
  parsers.push(parser);
  return paths;
}

function project(item: Item, paths: Path[] | undefined): Item {
  if (!paths) return item;
  const out: Item = {};
  for (const path of paths) {
    const value = read(item, path);
    if (value === undefined) continue;
    if (path.length === 1) out[path[0] as string] = value;
    else write(out, path, value);
  }
  return out;
}

function write(item: Item, path: Path, value: unknown): void {
  let at: Record<string | number, unknown> = item;
  for (let i = 0; i < path.length - 1; i++) {
    const part = path[i]!;
    if (at[part] === undefined) at[part] = typeof path[i + 1] === 'number' ? [] : {};
    const next = at[part];
    if (next === null || typeof next !== 'object') throw new ExpressionError('The document path provided in the update expression is invalid for update');
    at = next as Record<string | number, unknown>;
  }
  at[path[path.length - 1]!] = value;
}

function remove(item: Item, path: Path): void {
  const parent = path.length === 1 ? item : read(item, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return;
  const last = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else delete (parent as Record<string | number, unknown>)[last];
}

type UpdateAction = { clause: 'SET'; path: Path; value: Operand } | { clause: 'REMOVE'; path: Path } | { clause: 'ADD'; path: Path; value: Operand };

function parseUpdate(expression: string, names: Names, values: Values, parsers: Parser[]): (item: Item) => void {
  const parser = new Parser(expression, names, values);
  const actions: UpdateAction[] = [];
  while (!parser.done()) {
    const clause = parser.isClause();
    if (!clause) throw new ExpressionError(`Invalid UpdateExpression: expected SET, REMOVE, ADD or DELETE in "${expression}"`);
    if (clause === 'DELETE') throw new ExpressionError('The in-memory store does not hold sets: DELETE is not supported');
    parser.skip();
    do {
      const path = parser.path();
      if (clause === 'SET') {
        parser.accept('=') || fail(`Invalid UpdateExpression: expected "=" in "${expression}"`);
        actions.push({ clause, path, value: parser.setValue() });
      } else if (clause === 'ADD') actions.push({ clause, path, value: parser.operand() });
      else actions.push({ clause, path });
    } while (parser.accept(','));
  }
  parsers.push(parser);
  return (item) => {
    // every right-hand side reads the item as it was before the update
    const before = structuredClone(item);
    for (const a of actions) {
      if (a.clause === 'REMOVE') remove(item, a.path);
      else if (a.clause === 'SET') write(item, a.path, operandValue(before, a.value));
      else {
        const add = operandValue(before, a.value);
        const current = read(before, a.path);
        if (typeof add !== 'number' || (current !== undefined && typeof current !== 'number'))
          throw new ExpressionError('An operand in the update expression has an incorrect data type');
        write(item, a.path, (current ?? 0) + add);
      }
    }
  };
}

function fail(message: string): never {
  throw new ExpressionError(message);
}

/** A key condition, split into the partition value and a test of the sort key. */
interface KeyCondition {
  partitionName: string;
  partitionValue: unknown;
  sortTest?: (value: unknown) => boolean;
}

function parseKeyCondition(expression: string, names: Names, values: Values, keys: { partition: string; sort?: string }, parsers: Parser[]): KeyCondition {
  const parser = new Parser(expression, names, values);
  const condition = parser.condition();
  if (!parser.done()) throw new ExpressionError(`Invalid KeyConditionExpression: trailing tokens in "${expression}"`);
  parsers.push(parser);
  const parts = condition.op === 'and' ? [condition.left, condition.right] : [condition];
  let partitionValue: unknown;
  let sortTest: ((value: unknown) => boolean) | undefined;
  const onKey = (o: Operand, name: string | undefined) => name !== undefined && 'path' in o && o.path.length === 1 && o.path[0] === name;
  for (const part of parts) {
    if (part.op === 'compare' && part.comparator === '=' && onKey(part.left, keys.partition) && 'value' in part.right) partitionValue = part.right.value;
    else if (part.op === 'compare' && onKey(part.left, keys.sort) && 'value' in part.right && part.comparator !== '<>')
      sortTest = (v) => holds({ k: v }, { ...part, left: { path: ['k'] } });
    else if (part.op === 'between' && onKey(part.subject, keys.sort)) sortTest = (v) => holds({ k: v }, { ...part, subject: { path: ['k'] } });
    else if (part.op === 'beginsWith' && onKey(part.subject, keys.sort)) sortTest = (v) => holds({ k: v }, { ...part, subject: { path: ['k'] } });
    else throw new ExpressionError(`Query condition missed key schema element or used an unsupported operator: "${expression}"`);
  }
  if (partitionValue === undefined) throw new ExpressionError(`Query condition missed key schema element: ${keys.partition}`);
  return { partitionName: keys.partition, partitionValue, ...(sortTest ? { sortTest } : {}) };
}

export { checkAllUsed, compareValues, ExpressionError, parseCondition, parseKeyCondition, parseProjection, parseUpdate, Parser, project, valuesEqual };
export type { Item, KeyCondition, ParsedCondition, Path };

/**
 * One line of a JSON Lines input (SPEC §3.3 "Files and the input boundary"): the object it holds,
 * or why it is not one. Rows that reach the product other than from a file carry no line number.
 */
type InputLine = { line?: number | undefined; value: unknown; text?: string | undefined } | { line: number; unreadable: string };

const BOM = '\uFEFF';
/** Marks the lines parseJsonLine made, so that any other value handed to the boundary is a row as it is. */
const FROM_FILE = Symbol('jsonLine');
const QUOTE_LIMIT = 80;

/** The text of a line as written, cut to a length fit for an error message. */
function quote(text: string): string {
  const t = text.trim();
  return t.length > QUOTE_LIMIT ? `${t.slice(0, QUOTE_LIMIT)}…` : t;
}

/**
 * Parses one line of a file; `null` for a blank line. The first line may start with a byte-order
 * mark and any line may end in CR (CRLF files): both are accepted.
 */
function parseJsonLine(raw: string, line: number): InputLine | null {
  let text = line === 1 && raw.startsWith(BOM) ? raw.slice(1) : raw;
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, unreadable: `line ${line} is not JSON: ${quote(text)}`, [FROM_FILE]: true } as InputLine;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line, unreadable: `line ${line} is not a JSON object: ${quote(text)}`, [FROM_FILE]: true } as InputLine;
  }
  return { line, value, text, [FROM_FILE]: true } as InputLine;
}

/** A line of a file as parsed, or any other row (from a program, the AWS path) as a line without a number. */
function inputLine(row: unknown): InputLine {
  return typeof row === 'object' && row !== null && FROM_FILE in row ? (row as unknown as InputLine) : { value: row };
}

/** How a field's value was written on its line, for messages about numbers JSON reads as ±Infinity. */
function writtenValue(input: InputLine, field: string, value: unknown): string {
  if ('text' in input && input.text !== undefined && typeof value === 'number' && !Number.isFinite(value)) {
    const m = new RegExp(`"${field}"\\s*:\\s*(-?[0-9.eE+-]+)`).exec(input.text);
    if (m) return m[1]!;
  }
  return JSON.stringify(value) ?? String(value);
}

export { inputLine, parseJsonLine, quote, writtenValue };
export type { InputLine };

/** A CSV cell before it is written: numbers and booleans of the data keep their type, so that they are not taken for text. */
type CsvValue = string | number | boolean | null | undefined;

/**
 * The characters a spreadsheet reads as the start of a formula (OWASP "CSV Injection"): a text
 * cell starting with one of them is written as text, prefixed with `'`.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A comma, a semicolon (the separator of many locales), a quote or a line break: the cell is quoted. */
const NEEDS_QUOTES = /[,;"\n\r]/;

/**
 * One cell of a CSV line. A number or a boolean of the data is written as it is (-3 stays -3: a
 * spreadsheet reads a number); text that a spreadsheet would run as a formula (`=1+1`,
 * `-A1`, `@SUM(…)`, even `-3` as text) is prefixed with `'` and quoted.
 */
function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const formula = FORMULA_START.test(value);
  const text = formula ? `'${value}` : value;
  return formula || NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line of a CSV file: the cells of `row` in the order of `columns`, a missing one empty. */
function csvLine(columns: readonly string[], row: Readonly<Record<string, CsvValue>>): string {
  return columns.map((c) => csvCell(row[c])).join(',');
}

/** The header line: column names are cells too. */
function csvHeader(columns: readonly string[]): string {
  return columns.map(csvCell).join(',');
}

/** Flattens a record into dot-path columns; an array is one cell of JSON. */
function flatten(value: unknown, prefix = '', out: Record<string, CsvValue> = {}): Record<string, CsvValue> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value)) out[prefix] = JSON.stringify(value);
  else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[prefix] = value;
  else out[prefix] = null;
  return out;
}

/** The columns of flattened rows: `first` in its order, then every other one in the order met. */
function csvColumns(rows: readonly Record<string, CsvValue>[], first: readonly string[] = []): string[] {
  return [...new Set([...first, ...rows.flatMap((r) => Object.keys(r))])];
}

export { csvCell, csvColumns, csvHeader, csvLine, flatten };
export type { CsvValue };

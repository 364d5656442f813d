/** Where a command says something beside its data: a hint, a continuation, a summary. */
type Note = (line: string) => void;

/** Notes go to stderr, so that stdout in a data format (jsonl, csv) holds only the data. */
const toStderr: Note = (line) => process.stderr.write(`${line}\n`);

export { toStderr };
export type { Note };

/** `npm run schemas`: writes the JSON Schemas of the records and the change events into docs/ (a test checks they are current). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { publishedSchemas } from '../lib/jsonSchemas';

const docs = join(import.meta.dirname, '..', 'docs');
for (const [file, schema] of Object.entries(publishedSchemas())) {
  mkdirSync(dirname(join(docs, file)), { recursive: true });
  writeFileSync(join(docs, file), `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`docs/${file}\n`);
}

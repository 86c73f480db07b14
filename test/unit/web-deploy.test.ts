// The dashboard's deployment custom resource (lambdas/web-deploy): its pure parts (content types, cache
// headers, the site's files and order, config.js) and its handler against a mocked S3 client, success
// and every error path, each of which must still answer CloudFormation.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeEach, describe, test } from 'node:test';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { strToU8, zipSync } from 'fflate';
import { type CfnResponse, makeHandler, putResponse } from '../../lambdas/web-deploy/deploy';
import {
  cacheControl,
  chunks,
  contentType,
  ENTRY_PAGE,
  IMMUTABLE,
  objectKey,
  REVALIDATE,
  siteFiles,
  staleKeys,
} from '../../lambdas/web-deploy/files';
import { CONFIG_SCRIPT_NAME, dashboardConfigScript } from '../../web/src/config-script';

const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/';

/** A build archive as CDK zips web/'s bundled output (directory entries included). */
function archive(files: Record<string, string> = {}): Uint8Array {
  return zipSync({
    'index.html': strToU8('<!doctype html><script type="module" src="assets/app-AAAA.js"></script>'),
    'favicon.svg': strToU8('<svg/>'),
    'assets/': new Uint8Array(),
    'assets/app-AAAA.js': strToU8('console.log(1)'),
    'assets/app-AAAA.js.map': strToU8('{}'),
    'assets/styles-BBBB.css': strToU8('body{}'),
    'assets/chunk-CCCC.js.LEGAL.txt': strToU8('MIT'),
    ...Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])),
  });
}

describe('content types and cache headers', () => {
  test('by extension, with a charset for text; unknown is binary', () => {
    assert.equal(contentType('index.html'), 'text/html; charset=utf-8');
    assert.equal(contentType('assets/app-X.js'), 'text/javascript; charset=utf-8');
    assert.equal(contentType('config.js'), 'text/javascript; charset=utf-8');
    assert.equal(contentType('assets/styles-X.css'), 'text/css; charset=utf-8');
    assert.equal(contentType('favicon.svg'), 'image/svg+xml');
    assert.equal(contentType('assets/app-X.js.map'), 'application/json');
    assert.equal(contentType('assets/chunk-X.js.LEGAL.txt'), 'text/plain; charset=utf-8');
    assert.equal(contentType('LOGO.PNG'), 'image/png');
    assert.equal(contentType('LICENSE'), 'application/octet-stream');
    assert.equal(contentType('v1.2/README'), 'application/octet-stream', 'a dot in a folder is no extension');
  });

  test('hashed assets are immutable for a year; everything else is revalidated', () => {
    for (const key of ['assets/app-X.js', 'assets/chunk-Y.js.map', 'assets/styles-Z.css'])
      assert.equal(cacheControl(key), IMMUTABLE, key);
    for (const key of ['index.html', 'config.js', 'favicon.svg', 'assetsx.js'])
      assert.equal(cacheControl(key), REVALIDATE, key);
    assert.match(IMMUTABLE, /max-age=31536000/);
    assert.equal(REVALIDATE, 'no-cache');
  });
});

describe('site files', () => {
  test('zip names become object keys; names that climb out or are empty are refused', () => {
    assert.equal(objectKey('./index.html'), 'index.html');
    assert.equal(objectKey('/assets/a.js'), 'assets/a.js');
    assert.equal(objectKey('assets\\a.js'), 'assets/a.js');
    for (const bad of ['', '../x', 'assets/../../x', 'a//b', './'])
      assert.throws(() => objectKey(bad), /unexpected file name/, JSON.stringify(bad));
  });

  test('every archive file plus config.js, with their headers, index.html last', () => {
    const files = siteFiles(archive(), { [CONFIG_SCRIPT_NAME]: dashboardConfigScript(API) });
    const keys = files.map((f) => f.key);
    assert.deepEqual(keys, [
      'assets/app-AAAA.js',
      'assets/app-AAAA.js.map',
      'assets/chunk-CCCC.js.LEGAL.txt',
      'assets/styles-BBBB.css',
      'config.js',
      'favicon.svg',
      'index.html',
    ]);
    assert.equal(keys.at(-1), ENTRY_PAGE);
    for (const f of files) {
      assert.equal(f.contentType, contentType(f.key));
      assert.equal(f.cacheControl, cacheControl(f.key));
    }
    const config = files.find((f) => f.key === 'config.js');
    assert.equal(new TextDecoder().decode(config?.body), dashboardConfigScript(API));
  });

  test("the stack's files win over an archive file of the same name", () => {
    const files = siteFiles(archive({ 'config.js': 'window.BACEFOOK_API = "stale";' }), {
      'config.js': dashboardConfigScript(API),
    });
    const config = files.filter((f) => f.key === 'config.js');
    assert.equal(config.length, 1);
    assert.equal(new TextDecoder().decode(config[0].body), dashboardConfigScript(API));
  });

  test('an archive without index.html, or not a zip, is refused', () => {
    assert.throws(() => siteFiles(zipSync({ 'a.js': strToU8('1') })), /no index\.html/);
    assert.throws(() => siteFiles(strToU8('not a zip')));
  });

  test('stale keys are those the new site lacks; chunks split by size', () => {
    assert.deepEqual(
      staleKeys(['index.html', 'assets/old.js', 'assets/new.js'], ['index.html', 'assets/new.js']),
      ['assets/old.js'],
    );
    assert.deepEqual(chunks([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(chunks([], 2), []);
  });

  test('config.js sets window.BACEFOOK_API to the URL, escaped as a JS string', () => {
    for (const url of [API, 'http://x.example/"quoted"/\\</script>']) {
      const window: { BACEFOOK_API?: string } = {};
      new Function('window', dashboardConfigScript(url))(window);
      assert.equal(window.BACEFOOK_API, url);
    }
  });
});

// ---- handler ---------------------------------------------------------------------------------------

const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const mock = mockClient(s3);
const silent = { info: () => {}, error: () => {} };

const PROPS = {
  ServiceToken: 'arn:aws:lambda:us-east-1:1:function:Bacefook-WebDeploy',
  SourceBucket: 'cdk-assets',
  SourceKey: 'build.zip',
  DestinationBucket: 'site-bucket',
  Files: { 'config.js': dashboardConfigScript(API) },
  EmptyOnDelete: 'true',
};

function event(
  type: 'Create' | 'Update' | 'Delete',
  props: Record<string, unknown> = PROPS,
  physicalId = 'site-bucket',
): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: PROPS.ServiceToken,
    ResponseURL: 'https://cloudformation-response.example/presigned',
    StackId: 'arn:aws:cloudformation:us-east-1:1:stack/Bacefook/1',
    RequestId: 'req-1',
    LogicalResourceId: 'WebDeployment',
    ResourceType: 'Custom::WebDashboardDeployment',
    ResourceProperties: props as CloudFormationCustomResourceEvent['ResourceProperties'],
  };
  const old = base.ResourceProperties;
  if (type === 'Create') return { ...base, RequestType: 'Create' };
  if (type === 'Update')
    return { ...base, RequestType: 'Update', PhysicalResourceId: physicalId, OldResourceProperties: old };
  return { ...base, RequestType: 'Delete', PhysicalResourceId: physicalId };
}

const context = (remainingMs = 300_000): any => ({
  getRemainingTimeInMillis: () => remainingMs,
  logGroupName: '/aws/lambda/Bacefook-WebDeploy',
  logStreamName: '2025/01/01/[$LATEST]abc',
});

/** Runs the handler once and returns the one answer it sent. */
async function invoke(
  e: CloudFormationCustomResourceEvent,
  opts: { remainingMs?: number; safetyMs?: number } = {},
) {
  const answers: { url: string; response: CfnResponse }[] = [];
  const handler = makeHandler({
    s3,
    log: silent,
    safetyMs: opts.safetyMs,
    respond: async (url, response) => {
      answers.push({ url, response });
    },
  });
  await handler(e, context(opts.remainingMs));
  assert.equal(answers.length, 1, 'exactly one answer to CloudFormation');
  assert.equal(answers[0].url, e.ResponseURL);
  const r = answers[0].response;
  assert.equal(r.StackId, e.StackId);
  assert.equal(r.RequestId, e.RequestId);
  assert.equal(r.LogicalResourceId, e.LogicalResourceId);
  return r;
}

const body = (bytes: Uint8Array): any => ({ transformToByteArray: async () => bytes });
const keysPut = () => mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
const s3Error = (name: string, message = name) =>
  new S3ServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 403 } });

describe('handler: create and update', () => {
  beforeEach(() => {
    mock.reset();
    mock.on(GetObjectCommand, { Bucket: 'cdk-assets', Key: 'build.zip' }).resolves({ Body: body(archive()) });
    mock.on(PutObjectCommand).resolves({});
    mock.on(DeleteObjectsCommand).resolves({});
  });

  test('copies every file with its headers, index.html last, then prunes the previous build', async () => {
    mock
      .on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: 'index.html' }, { Key: 'assets/app-OLD.js' }],
        IsTruncated: true,
        NextContinuationToken: 't',
      })
      .resolvesOnce({
        Contents: [{ Key: 'assets/app-AAAA.js' }, { Key: 'assets/chunk-OLD.js' }],
        IsTruncated: false,
      });
    const r = await invoke(event('Create'));
    assert.equal(r.Status, 'SUCCESS', r.Reason);
    assert.equal(r.PhysicalResourceId, 'site-bucket');
    assert.deepEqual(r.Data, { Files: '7', Pruned: '2' });

    const puts = mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    assert.equal(puts.length, 7);
    assert.equal(puts.at(-1)?.Key, 'index.html', 'the entry page goes last');
    for (const p of puts) {
      assert.equal(p.Bucket, 'site-bucket');
      assert.equal(p.ContentType, contentType(p.Key ?? ''), p.Key);
      assert.equal(p.CacheControl, cacheControl(p.Key ?? ''), p.Key);
    }
    const config = puts.find((p) => p.Key === 'config.js');
    assert.equal(new TextDecoder().decode(config?.Body as Uint8Array), dashboardConfigScript(API));
    assert.equal(config?.CacheControl, 'no-cache');

    const lists = mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.ContinuationToken);
    assert.deepEqual(lists, [undefined, 't']);
    const deletes = mock.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input);
    assert.equal(deletes.length, 1);
    assert.equal(deletes[0].Bucket, 'site-bucket');
    assert.deepEqual(deletes[0].Delete?.Objects, [
      { Key: 'assets/app-OLD.js' },
      { Key: 'assets/chunk-OLD.js' },
    ]);
  });

  test('an update to a new bucket answers with the new bucket (CloudFormation then deletes the old one)', async () => {
    mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
    const r = await invoke(event('Update', { ...PROPS, DestinationBucket: 'new-bucket' }, 'site-bucket'));
    assert.equal(r.Status, 'SUCCESS', r.Reason);
    assert.equal(r.PhysicalResourceId, 'new-bucket');
    assert.equal(mock.commandCalls(DeleteObjectsCommand).length, 0, 'nothing to prune');
  });

  test('the archive cannot be read: FAILED with the reason, nothing written', async () => {
    mock.on(GetObjectCommand).rejects(s3Error('AccessDenied', 'Access Denied'));
    const r = await invoke(event('Create'));
    assert.equal(r.Status, 'FAILED');
    assert.match(r.Reason ?? '', /AccessDenied: Access Denied/);
    assert.match(r.Reason ?? '', /Bacefook-WebDeploy/, 'points at the logs');
    assert.equal(r.PhysicalResourceId, 'site-bucket');
    assert.equal(mock.commandCalls(PutObjectCommand).length, 0);
  });

  test('a put fails during an update: FAILED under the old id, index.html untouched, nothing pruned', async () => {
    mock.on(PutObjectCommand, { Key: 'assets/styles-BBBB.css' }).rejects(s3Error('SlowDown'));
    const r = await invoke(event('Update', PROPS, 'site-bucket'));
    assert.equal(r.Status, 'FAILED');
    assert.match(r.Reason ?? '', /SlowDown/);
    assert.equal(r.PhysicalResourceId, 'site-bucket', 'a new id would mean a replacement');
    assert.ok(!keysPut().includes('index.html'), 'the old index.html keeps pointing at the old assets');
    assert.equal(mock.commandCalls(ListObjectsV2Command).length, 0);
    assert.equal(mock.commandCalls(DeleteObjectsCommand).length, 0);
  });

  test('invalid properties: FAILED, naming the field, with no S3 call', async () => {
    const { SourceKey: _, ...missing } = PROPS;
    const r = await invoke(event('Create', missing));
    assert.equal(r.Status, 'FAILED');
    assert.match(r.Reason ?? '', /invalid properties/);
    assert.match(r.Reason ?? '', /SourceKey/);
    // Not a bucket name: the rollback's Delete then owns no bucket and touches nothing.
    assert.equal(r.PhysicalResourceId, 'WebDeployment');
    assert.equal(mock.calls().length, 0);
  });

  test('an archive without index.html: FAILED before any write', async () => {
    mock.on(GetObjectCommand).resolves({ Body: body(zipSync({ 'a.js': strToU8('1') })) });
    const r = await invoke(event('Create'));
    assert.equal(r.Status, 'FAILED');
    assert.match(r.Reason ?? '', /no index\.html/);
    assert.equal(mock.commandCalls(PutObjectCommand).length, 0);
  });

  test('DeleteObjects reports per-key errors with a 200: that is a failure too', async () => {
    mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'assets/old.js' }], IsTruncated: false });
    mock.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: 'assets/old.js', Code: 'AccessDenied', Message: 'Access Denied' }],
    });
    const r = await invoke(event('Create'));
    assert.equal(r.Status, 'FAILED');
    assert.match(
      r.Reason ?? '',
      /could not delete 1 object\(s\) from site-bucket, e\.g\. assets\/old\.js: AccessDenied/,
    );
  });

  test('shortly before the function times out: FAILED "timed out" instead of an hour-long wait', async () => {
    mock.on(GetObjectCommand).callsFake(() => new Promise(() => {}));
    const started = Date.now();
    const r = await invoke(event('Update', PROPS, 'site-bucket'), { remainingMs: 1_050, safetyMs: 1_000 });
    assert.equal(r.Status, 'FAILED');
    assert.match(r.Reason ?? '', /timed out/);
    assert.equal(r.PhysicalResourceId, 'site-bucket');
    assert.ok(Date.now() - started < 1_000, 'answered at the deadline');
  });

  test('an answer CloudFormation did not take throws, so Lambda retries the invocation', async () => {
    mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
    const handler = makeHandler({
      s3,
      log: silent,
      respond: async () => {
        throw new Error('CloudFormation did not take the answer: HTTP 403');
      },
    });
    await assert.rejects(handler(event('Create'), context()), /HTTP 403/);
  });
});

describe('handler: delete', () => {
  beforeEach(() => mock.reset());

  test('EmptyOnDelete=true: deletes every object, page by page', async () => {
    const many = Array.from({ length: 1_200 }, (_, i) => ({ Key: `assets/f${i}.js` }));
    mock
      .on(ListObjectsV2Command)
      .resolvesOnce({ Contents: many.slice(0, 1_000), IsTruncated: true, NextContinuationToken: 'p2' })
      .resolvesOnce({ Contents: many.slice(1_000), IsTruncated: false });
    mock.on(DeleteObjectsCommand).resolves({});
    const r = await invoke(event('Delete'));
    assert.equal(r.Status, 'SUCCESS', r.Reason);
    assert.equal(r.PhysicalResourceId, 'site-bucket');
    assert.deepEqual(r.Data, { Deleted: '1200' });
    const batches = mock
      .commandCalls(DeleteObjectsCommand)
      .map((c) => c.args[0].input.Delete?.Objects?.length);
    assert.deepEqual(batches, [1_000, 200]);
  });

  test('EmptyOnDelete=false (retainData): the bucket and its files are kept', async () => {
    const r = await invoke(event('Delete', { ...PROPS, EmptyOnDelete: 'false' }));
    assert.equal(r.Status, 'SUCCESS');
    assert.equal(mock.calls().length, 0);
  });

  test('a bucket that is already gone counts as empty', async () => {
    mock.on(ListObjectsV2Command).rejects(new NoSuchBucket({ message: 'gone', $metadata: {} }));
    const r = await invoke(event('Delete'));
    assert.equal(r.Status, 'SUCCESS', r.Reason);
    assert.deepEqual(r.Data, { Deleted: '0' });
  });

  test('invalid properties, or a bucket this resource does not own: nothing touched, SUCCESS', async () => {
    for (const e of [event('Delete', { ServiceToken: 'x' }), event('Delete', PROPS, 'WebDeployment')]) {
      const r = await invoke(e);
      assert.equal(r.Status, 'SUCCESS');
      assert.equal(r.PhysicalResourceId, e.RequestType === 'Delete' ? e.PhysicalResourceId : '');
    }
    assert.equal(mock.calls().length, 0);
  });

  test('emptying fails: FAILED with the reason (the bucket could not be deleted anyway)', async () => {
    mock.on(ListObjectsV2Command).rejects(s3Error('AccessDenied', 'Access Denied'));
    const r = await invoke(event('Delete'));
    assert.equal(r.Status, 'FAILED');
    assert.match(r.Reason ?? '', /AccessDenied/);
    assert.equal(r.PhysicalResourceId, 'site-bucket');
  });
});

describe('putResponse', () => {
  test('PUTs the JSON answer with no Content-Type (the pre-signed URL signed none); a refusal throws', async () => {
    const seen: { method?: string; type?: string; body: string }[] = [];
    let status = 200;
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      req.on('end', () => {
        seen.push({ method: req.method, type: req.headers['content-type'], body: text });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned?X-Amz-Signature=x`;
      const answer: CfnResponse = {
        Status: 'SUCCESS',
        PhysicalResourceId: 'site-bucket',
        StackId: 's',
        RequestId: 'r',
        LogicalResourceId: 'l',
      };
      await putResponse(url, answer);
      assert.equal(seen[0].method, 'PUT');
      assert.equal(seen[0].type, undefined);
      assert.deepEqual(JSON.parse(seen[0].body), answer);
      status = 403;
      await assert.rejects(putResponse(url, answer), /HTTP 403/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

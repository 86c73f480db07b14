// The dashboard's deployment as a CloudFormation custom resource (lib/constructs/web-dashboard.ts says
// why a function of ours and not aws-s3-deployment, whose AWS CLI layer LocalStack's free tier lacks).
//
// CloudFormation invokes this function directly (it is the resource's ServiceToken, no provider
// framework) and waits for the answer PUT to the pre-signed ResponseURL, for up to an hour. So every
// path answers: success, a failure with its reason, and a failure shortly before the function's own
// timeout. Only a failed PUT of the answer throws, so Lambda's retry of the asynchronous invocation
// redoes the (idempotent) work and answers again.
//
//   Create/Update: copy the build (the zip asset) and the stack's own files (config.js) into the site
//                  bucket with their Content-Type and Cache-Control, index.html last; then delete what
//                  the previous build left. Physical id: the site bucket's name.
//   Delete:        empty the bucket when EmptyOnDelete is 'true' (the stack destroys it); otherwise keep it.
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { z } from 'zod';
import { chunks, type SiteFile, siteFiles, staleKeys } from './files';

/** Custom resource properties, as CloudFormation passes them (every scalar a string). */
export const DeploymentProps = z.object({
  SourceBucket: z.string().min(1),
  SourceKey: z.string().min(1),
  DestinationBucket: z.string().min(1),
  /** Files the stack writes itself, by key (config.js). */
  Files: z.record(z.string(), z.string()).default({}),
  EmptyOnDelete: z.enum(['true', 'false']).default('false'),
});
export type DeploymentProps = z.infer<typeof DeploymentProps>;

export interface CfnResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: Record<string, string>;
}

export interface Log {
  info(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

export interface DeployDeps {
  s3: S3Client;
  /** Sends the answer to CloudFormation (putResponse in production). */
  respond: (url: string, response: CfnResponse) => Promise<void>;
  log: Log;
  /** Answer FAILED this long before the function would time out (default 10 s). */
  safetyMs?: number;
  /** PutObject calls in flight at once. */
  concurrency?: number;
}

/** CloudFormation shows the reason in its events; the whole answer must stay under 4 KB. */
const MAX_REASON = 1_000;

class Outcome {
  constructor(
    readonly status: 'SUCCESS' | 'FAILED',
    readonly physicalId: string,
    readonly reason?: string,
    readonly data?: Record<string, string>,
  ) {}
}

export function makeHandler(deps: DeployDeps) {
  const safetyMs = deps.safetyMs ?? 10_000;
  return async (event: CloudFormationCustomResourceEvent, context: Context): Promise<void> => {
    const oldId = event.RequestType === 'Create' ? undefined : event.PhysicalResourceId;
    const logs = `see CloudWatch Logs ${context.logGroupName} ${context.logStreamName}`;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<Outcome>((resolve) => {
      const ms = Math.max(0, context.getRemainingTimeInMillis() - safetyMs);
      timer = setTimeout(
        () => resolve(new Outcome('FAILED', oldId ?? event.LogicalResourceId, `timed out (${logs})`)),
        ms,
      );
    });
    const work = run(deps, event).catch((err: unknown) => {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      deps.log.error('web deployment failed', { requestType: event.RequestType, error: err });
      // A failed Update keeps the old id: a new one would make CloudFormation treat it as a replacement.
      const props = DeploymentProps.safeParse(event.ResourceProperties);
      const id = oldId ?? (props.success ? props.data.DestinationBucket : event.LogicalResourceId);
      return new Outcome('FAILED', id, `${message} (${logs})`);
    });
    const outcome = await Promise.race([work, deadline]);
    clearTimeout(timer);
    await deps.respond(event.ResponseURL, {
      Status: outcome.status,
      Reason: outcome.reason?.slice(0, MAX_REASON),
      PhysicalResourceId: outcome.physicalId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      Data: outcome.data,
    });
  };
}

async function run(deps: DeployDeps, event: CloudFormationCustomResourceEvent): Promise<Outcome> {
  const parsed = DeploymentProps.safeParse(event.ResourceProperties);
  if (event.RequestType === 'Delete') {
    // Nothing this resource could have written (it never got valid properties), or a bucket it does not
    // own: never block the stack's deletion over it.
    if (!parsed.success || parsed.data.DestinationBucket !== event.PhysicalResourceId) {
      deps.log.info('delete: nothing to do', { physicalId: event.PhysicalResourceId });
      return new Outcome('SUCCESS', event.PhysicalResourceId);
    }
    if (parsed.data.EmptyOnDelete !== 'true') {
      deps.log.info('delete: the site bucket is kept', { bucket: parsed.data.DestinationBucket });
      return new Outcome('SUCCESS', event.PhysicalResourceId);
    }
    const deleted = await emptyBucket(deps.s3, parsed.data.DestinationBucket);
    deps.log.info('delete: site bucket emptied', { bucket: parsed.data.DestinationBucket, deleted });
    return new Outcome('SUCCESS', event.PhysicalResourceId, undefined, { Deleted: String(deleted) });
  }
  if (!parsed.success) throw new Error(`invalid properties: ${z.prettifyError(parsed.error)}`);
  const props = parsed.data;
  const started = Date.now();
  const archive = await getObject(deps.s3, props.SourceBucket, props.SourceKey);
  const files = siteFiles(archive, props.Files);
  // All but the entry page (last in the list) in parallel, then the entry page.
  const [entry] = files.slice(-1);
  for (const group of chunks(files.slice(0, -1), deps.concurrency ?? 8)) {
    await Promise.all(group.map((f) => putFile(deps.s3, props.DestinationBucket, f)));
  }
  await putFile(deps.s3, props.DestinationBucket, entry);
  const stale = staleKeys(
    await listKeys(deps.s3, props.DestinationBucket),
    files.map((f) => f.key),
  );
  await deleteKeys(deps.s3, props.DestinationBucket, stale);
  deps.log.info('web deployment done', {
    requestType: event.RequestType,
    bucket: props.DestinationBucket,
    files: files.length,
    bytes: files.reduce((n, f) => n + f.body.byteLength, 0),
    pruned: stale.length,
    durationMs: Date.now() - started,
  });
  return new Outcome('SUCCESS', props.DestinationBucket, undefined, {
    Files: String(files.length),
    Pruned: String(stale.length),
  });
}

async function getObject(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!res.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return res.Body.transformToByteArray();
}

function putFile(s3: S3Client, bucket: string, file: SiteFile) {
  return s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: file.key,
      Body: file.body,
      ContentType: file.contentType,
      CacheControl: file.cacheControl,
    }),
  );
}

async function listKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** DeleteObjects answers 200 even when some keys failed: those come back in Errors. */
async function deleteKeys(s3: S3Client, bucket: string, keys: string[]): Promise<void> {
  for (const group of chunks(keys, 1_000)) {
    const res = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: group.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    const errors = res.Errors ?? [];
    if (errors.length > 0) {
      const first = errors[0];
      throw new Error(
        `could not delete ${errors.length} object(s) from ${bucket}, e.g. ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
      );
    }
  }
}

/** Deletes every object; a bucket that is already gone counts as empty. */
async function emptyBucket(s3: S3Client, bucket: string): Promise<number> {
  try {
    const keys = await listKeys(s3, bucket);
    await deleteKeys(s3, bucket, keys);
    return keys.length;
  } catch (err) {
    if (err instanceof Error && err.name === 'NoSuchBucket') return 0;
    throw err;
  }
}

/**
 * PUTs the answer to CloudFormation's pre-signed URL. The body is bytes so fetch adds no Content-Type:
 * the URL was signed without one, and a header it did not sign can void the signature.
 */
export async function putResponse(url: string, response: CfnResponse): Promise<void> {
  const res = await fetch(url, { method: 'PUT', body: new TextEncoder().encode(JSON.stringify(response)) });
  if (!res.ok) throw new Error(`CloudFormation did not take the answer: HTTP ${res.status}`);
}

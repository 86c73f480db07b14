// What the Lambda service gives a handler besides its event: the invocation context. The local
// runtime builds the same object for every invocation (event source mapping, API Gateway, schedules),
// so handlers and their middleware (Powertools injectLambdaContext) see what they see on AWS.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { PROJECT } from '../lib/definitions';

/** Account and region the emulators report (kinesalite's defaults), used in every ARN we build. */
export const LOCAL_ACCOUNT_ID =
  (process.env.AWS_ACCOUNT_ID ?? '000000000000').replace(/\D/g, '') || '000000000000';
export const LOCAL_REGION = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';

/** A handler as Lambda calls it (callbacks are not supported: every handler here is async). */
export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

export interface FunctionIdentity {
  /** FunctionDef id from lib/definitions.ts (Processor, Snapshot, ApiHealth, ...): names its log file. */
  id: string;
  memoryMb?: number;
  timeoutSeconds?: number;
}

/** Local function name: `<project>-<id>`, e.g. bacefook-Processor. */
export function localFunctionName(id: string): string {
  return `${PROJECT}-${id}`;
}

export function functionArn(id: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${localFunctionName(id)}`;
}

function logStreamName(now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/** A fresh invocation context: new request id, deadline = now + the function's timeout. */
export function makeLambdaContext(fn: FunctionIdentity, now = Date.now()): Context {
  const name = localFunctionName(fn.id);
  const deadline = now + (fn.timeoutSeconds ?? 30) * 1000;
  const unsupported = (what: string) => () => {
    throw new Error(`context.${what}() is not supported by the local runtime: return a promise`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(fn.id),
    memoryLimitInMB: String(fn.memoryMb ?? 128),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: logStreamName(new Date(now)),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

/**
 * The context of one invocation in an execution environment (a context from makeLambdaContext): the
 * environment's identity with the invocation's own request id and deadline. A class, so that
 * getRemainingTimeInMillis is one shared method rather than a closure made per invocation.
 */
export class InvocationContext implements Context {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  done: Context['done'];
  fail: Context['fail'];
  succeed: Context['succeed'];

  /** (a private field: the handler sees only what Lambda's context has) */
  readonly #deadline: number;

  constructor(
    env: Context,
    readonly awsRequestId: string,
    deadline: number,
  ) {
    this.#deadline = deadline;
    this.callbackWaitsForEmptyEventLoop = env.callbackWaitsForEmptyEventLoop;
    this.functionName = env.functionName;
    this.functionVersion = env.functionVersion;
    this.invokedFunctionArn = env.invokedFunctionArn;
    this.memoryLimitInMB = env.memoryLimitInMB;
    this.logGroupName = env.logGroupName;
    this.logStreamName = env.logStreamName;
    this.done = env.done;
    this.fail = env.fail;
    this.succeed = env.succeed;
  }

  getRemainingTimeInMillis(): number {
    return Math.max(0, this.#deadline - Date.now());
  }
}

// Live updates in the embedded default (SPEC 13): `ws://host:port/live` on the local API's port, and
// the fan-out fed the local way. dynalite has no streams, so after each processor invocation the
// runtime calls notify(): this reads the `live` digests the processor committed (storage/live-store.ts),
// pushes them with the same fan-out module the AWS function runs (lambdas/live/fan-out.ts), and deletes
// them (dynalite has no TTL either). The processor never waits on it: notify() only starts the work.
//
// With tokens on, a handshake runs the WebSocket API's $connect authorizer module (the `token` query
// parameter, `read` ability): 401 without a valid token, 403 without the ability, as API Gateway.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  type ConnectionPoster,
  type ConnectionStore,
  fanOut,
  type LiveConnection,
} from '../lambdas/live/fan-out';
import { LIVE_AUTHORIZER, LIVE_PATH } from '../lib/definitions';
import { FORBIDDEN_BODY, type PolicyStatement, policyAllows, UNAUTHORIZED_BODY } from '../queries/access';
import { subscribe, subscribeAnswer } from '../queries/live';
import { deleteLiveParts, LIVE_PARTITION, type LiveDigest, readLiveParts } from '../storage/live-store';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, makeLambdaContext } from './lambda';
import type { RuntimeLogger } from './logs';

export type LiveAuthorizerHandler = (
  event: Pick<APIGatewayRequestAuthorizerEvent, 'methodArn' | 'queryStringParameters'>,
  context: Context,
) => Promise<unknown>;

export interface LiveGatewayStats {
  connections: number;
  /** messages sent */
  messages: number;
  /** digests (parts) pushed */
  digests: number;
}

interface Conn {
  id: string;
  ws: WebSocket;
  topics: string[];
}

const METHOD_ARN = `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:live/local/$connect`;

/** Digests read per query. */
const READ_LIMIT = 50;

export class LocalLiveGateway implements ConnectionStore, ConnectionPoster {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Map<string, Conn>();
  private authorizer: LiveAuthorizerHandler | null = null;
  private feeding: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly counters = { messages: 0, digests: 0 };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly metaTable: string,
    private readonly logger?: RuntimeLogger,
  ) {}

  /** Tokens on (this authorizer) or off, for the next handshakes. */
  setAuthorizer(handler: LiveAuthorizerHandler | null): void {
    this.authorizer = handler;
  }

  /** The HTTP server's `upgrade` listener. */
  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    void this.upgrade(req, socket, head).catch((err) => {
      this.logger?.log('error', 'live', 'handshake failed', { error: err });
      refuse(socket, 500, {
        error: { code: 'internal_error', message: 'The server could not answer this request.' },
      });
    });
  };

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== LIVE_PATH || this.stopped) {
      refuse(socket, 404, { error: { code: 'not_found', message: `no WebSocket at ${url.pathname}` } });
      return;
    }
    const authorizer = this.authorizer;
    if (authorizer !== null) {
      const token = url.searchParams.get('token');
      // The identity source is the query parameter: without one API Gateway refuses at once.
      if (token === null || token === '') return refuse(socket, 401, UNAUTHORIZED_BODY);
      let answer: unknown;
      try {
        answer = await authorizer(
          { methodArn: METHOD_ARN, queryStringParameters: { token } },
          makeLambdaContext(LIVE_AUTHORIZER),
        );
      } catch (err) {
        if (err instanceof Error && err.message === 'Unauthorized')
          return refuse(socket, 401, UNAUTHORIZED_BODY);
        throw err;
      }
      const statements = (answer as { policyDocument?: { Statement?: PolicyStatement[] } }).policyDocument
        ?.Statement;
      if (!Array.isArray(statements) || !policyAllows(statements, METHOD_ARN)) {
        return refuse(socket, 403, FORBIDDEN_BODY);
      }
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws));
  }

  private open(ws: WebSocket): void {
    const conn: Conn = { id: randomUUID(), ws, topics: [] };
    this.conns.set(conn.id, conn);
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      const outcome = subscribe(text, conn.topics);
      if (outcome.ok) conn.topics = outcome.topics;
      ws.send(subscribeAnswer(outcome));
    });
    ws.on('close', () => this.conns.delete(conn.id));
    ws.on('error', () => this.conns.delete(conn.id));
  }

  // ---- the fan-out's view of the connections ----

  async subscribed(): Promise<LiveConnection[]> {
    const out: LiveConnection[] = [];
    for (const c of this.conns.values())
      if (c.topics.length > 0) out.push({ connectionId: c.id, topics: c.topics });
    return out;
  }

  async remove(connectionId: string): Promise<void> {
    this.conns.delete(connectionId);
  }

  async post(connectionId: string, message: string): Promise<'sent' | 'gone'> {
    const c = this.conns.get(connectionId);
    if (c === undefined || c.ws.readyState !== c.ws.OPEN) return 'gone';
    await new Promise<void>((resolve, reject) =>
      c.ws.send(message, (err) => (err ? reject(err) : resolve())),
    );
    return 'sent';
  }

  // ---- the local stream: after each processor invocation ----

  /** A processor invocation returned: push what it committed (without waiting). */
  notify(): void {
    if (this.stopped) return;
    if (this.feeding !== null) {
      this.again = true;
      return;
    }
    this.feeding = this.feed().finally(() => {
      this.feeding = null;
    });
  }

  private async feed(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pushCommitted();
      } catch (err) {
        this.logger?.log('warn', 'live', 'pushing committed batches failed', { error: err });
      }
    } while (this.again && !this.stopped);
  }

  /** Pushes and deletes every digest stored, oldest first. */
  private async pushCommitted(): Promise<void> {
    for (;;) {
      const anyone = this.conns.size > 0;
      const parts = anyone
        ? await readLiveParts(this.doc, this.metaTable, '', READ_LIMIT)
        : await this.keysOnly();
      if (parts.length === 0) return;
      const digests = parts.flatMap((p) => (p.digest === null ? [] : [p.digest]));
      if (digests.length > 0) {
        const r = await fanOut(digests, this, this, (id, err) =>
          this.logger?.log('debug', 'live', 'a message could not be sent', { connectionId: id, error: err }),
        );
        this.counters.messages += r.messages;
        this.counters.digests += digests.length;
      }
      await deleteLiveParts(
        this.doc,
        this.metaTable,
        parts.map((p) => p.sk),
      );
      if (parts.length < READ_LIMIT) return;
    }
  }

  /** The stored parts' keys only (nobody is connected: nothing to decode). */
  private async keysOnly(): Promise<{ sk: string; digest: LiveDigest | null }[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.metaTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': LIVE_PARTITION },
        ProjectionExpression: 'sk',
        ConsistentRead: true,
        Limit: READ_LIMIT,
      }),
    );
    return (res.Items ?? []).map((it) => ({ sk: String(it.sk), digest: null }));
  }

  /** Waits for the current push (tests, stop). */
  async idle(): Promise<void> {
    while (this.feeding !== null) await this.feeding;
  }

  stats(): LiveGatewayStats {
    return { connections: this.conns.size, ...this.counters };
  }

  /** Closes every connection (1001 going away) and stops pushing. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
    for (const c of this.conns.values()) c.ws.close(1001, 'server stopping');
    this.conns.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

/** Answers a handshake with an HTTP error in the API's error shape, and closes the socket. */
function refuse(socket: Duplex, status: number, body: unknown): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      (status === 401 ? 'www-authenticate: Bearer\r\n' : '') +
      `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}

// Live updates for the pages (the API's `/live` WebSocket): a page subscribes to the topic of what it
// shows (`pipeline`, `user:{name}`, `product:{id}`) and hears of each committed batch that changed it.
// One socket for the whole dashboard, opened while some page listens; reconnected with backoff (1 s,
// doubling to 30 s). While it is not open (no live URL, as on LocalStack, or between reconnects) the
// pages poll as they would without it: `watch` does either.

/** Where the live updates are: a URL, or null when the deployment has none. */
export function liveUrl(configured: string | null | undefined, loc: Location = location): string | null {
  if (configured === null) return null;
  if (typeof configured === 'string' && configured !== '') return configured;
  // None given (the local runtime): `/live` on the page's own origin.
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/live`;
}

/** Without the socket, the user and product pages poll their figures this often. */
export const FIGURES_POLL_MS = 5_000;
/** A socket holding this many topics is replaced (the server has no unsubscribe, and caps topics). */
const MAX_SENT_TOPICS = 90;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

export class LiveFeed {
  private ws: WebSocket | null = null;
  private isOpen = false;
  private retryMs = FIRST_RETRY_MS;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Topics the open socket subscribed to (the server has no unsubscribe: a new socket drops them). */
  private sent = new Set<string>();
  private readonly handlers = new Map<string, Set<(data: unknown) => void>>();
  private readonly stateListeners = new Set<(open: boolean) => void>();

  constructor(
    private readonly url: string | null,
    private readonly token: () => string | null,
  ) {}

  get open(): boolean {
    return this.isOpen;
  }

  /** Calls `handler` with each message of `topic`; returns the unsubscribe. */
  subscribe(topic: string, handler: (data: unknown) => void): () => void {
    let set = this.handlers.get(topic);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(topic, set);
    }
    set.add(handler);
    if (this.ws === null) this.connect();
    else if (this.isOpen && !this.sent.has(topic)) {
      if (this.sent.size < MAX_SENT_TOPICS) this.send([topic]);
      else {
        this.close();
        this.connect();
      }
    }
    return () => {
      set.delete(handler);
      if (set.size === 0) this.handlers.delete(topic);
      if (this.handlers.size === 0) this.close();
    };
  }

  /** Told when the socket opens (true) or closes (false); returns the removal. */
  onState(listener: (open: boolean) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private send(topics: string[]): void {
    for (const t of topics) this.sent.add(t);
    this.ws?.send(JSON.stringify({ action: 'subscribe', topics }));
  }

  private connect(): void {
    clearTimeout(this.timer);
    if (this.url === null || this.handlers.size === 0 || typeof WebSocket === 'undefined') return;
    const token = this.token();
    const ws = new WebSocket(token ? `${this.url}?token=${encodeURIComponent(token)}` : this.url);
    this.ws = ws;
    this.sent = new Set();
    ws.onopen = () => {
      this.isOpen = true;
      this.retryMs = FIRST_RETRY_MS;
      this.send([...this.handlers.keys()]);
      for (const l of this.stateListeners) l(true);
    };
    ws.onmessage = (e: MessageEvent) => {
      let m: { topic?: unknown; data?: unknown };
      try {
        m = JSON.parse(String(e.data)) as { topic?: unknown; data?: unknown };
      } catch {
        return;
      }
      if (typeof m.topic !== 'string') return;
      for (const h of this.handlers.get(m.topic) ?? []) h(m.data);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      const was = this.isOpen;
      this.isOpen = false;
      if (was) for (const l of this.stateListeners) l(false);
      if (this.handlers.size > 0) {
        this.timer = setTimeout(() => this.connect(), this.retryMs);
        this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
      }
    };
  }

  private close(): void {
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    if (ws !== null) {
      ws.onclose = null;
      ws.close();
    }
    if (this.isOpen) {
      this.isOpen = false;
      for (const l of this.stateListeners) l(false);
    }
  }
}

/**
 * Runs `refresh` on each message of `topic` while the socket is open, and every `pollMs` while it is
 * not (and once when it closes, to catch up). Returns the stop.
 */
export function watch(live: LiveFeed | null, topic: string, refresh: () => void, pollMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = () => {
    clearTimeout(timer);
    if (live?.open) return;
    timer = setTimeout(() => {
      if (!document.hidden) refresh();
      poll();
    }, pollMs);
  };
  const offMessage = live?.subscribe(topic, () => refresh());
  const offState = live?.onState((open) => {
    if (!open) refresh();
    poll();
  });
  poll();
  return () => {
    clearTimeout(timer);
    offMessage?.();
    offState?.();
  };
}

// The live stream (server-sent events): one EventSource for the whole app, opened with the
// token in the query (EventSource cannot send headers). Pages subscribe to its messages;
// the sensor page asks for that sensor's `score` messages, which reopens the connection
// with `&sensor=<id>`. The browser retries a dropped connection by itself; when it gives
// up (the server answered an error), we verify the session and reopen with a backoff.

import { streamURL } from "./endpoints";
import type { Health, LiveScore, StreamHello, WaterEvent } from "./types";

export type StreamStatus = "off" | "connecting" | "live" | "reconnecting";

export interface StreamMessages {
  hello: StreamHello;
  insight: WaterEvent;
  score: LiveScore;
  health: Health;
}

export type StreamKind = keyof StreamMessages;
type Handler<K extends StreamKind> = (message: StreamMessages[K]) => void;
type HandlerSets = { [K in StreamKind]: Set<Handler<K>> };

const KINDS: StreamKind[] = ["hello", "insight", "score", "health"];
const MAX_BACKOFF_MS = 30_000;

export class LiveStream {
  private source: EventSource | null = null;
  private token: string | null = null;
  private sensor: string | null = null;
  private status: StreamStatus = "off";
  private backoffMs = 2_000;
  private retryTimer: number | undefined;
  private readonly handlers: HandlerSets = { hello: new Set(), insight: new Set(), score: new Set(), health: new Set() };
  private readonly statusListeners = new Set<(status: StreamStatus) => void>();

  /**
   * @param verifySession called before reopening a connection the server refused; it should
   *   reject (and log out) when the token is no longer valid.
   */
  constructor(private readonly verifySession: () => Promise<boolean>) {}

  start(token: string): void {
    if (this.token === token && this.source) return;
    this.token = token;
    this.open("connecting");
  }

  stop(): void {
    this.token = null;
    this.close();
    this.setStatus("off");
  }

  /** Asks for `score` messages of one sensor (null: none). Reopens the connection. */
  setSensor(sensor: string | null): void {
    if (sensor === this.sensor) return;
    this.sensor = sensor;
    if (this.token) this.open("connecting");
  }

  getStatus(): StreamStatus {
    return this.status;
  }

  onStatus(listener: (status: StreamStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  on<K extends StreamKind>(kind: K, handler: Handler<K>): () => void {
    const set = this.handlers[kind] as Set<Handler<K>>;
    set.add(handler);
    return () => set.delete(handler);
  }

  /**
   * "connecting": a first connection or another sensor (nothing was missed);
   * "reconnecting": after a failure (messages may have been missed: pages re-read the API).
   */
  private open(status: "connecting" | "reconnecting"): void {
    this.close();
    if (!this.token || typeof EventSource === "undefined") return;
    this.setStatus(status);
    const source = new EventSource(streamURL(this.token, this.sensor));
    this.source = source;
    source.onopen = () => {
      this.backoffMs = 2_000;
      this.setStatus("live");
    };
    source.onerror = () => {
      if (this.source !== source) return;
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. an HTTP error answer): try again later ourselves.
        this.close();
        this.setStatus("reconnecting");
        this.scheduleReopen();
      } else {
        this.setStatus("reconnecting");
      }
    };
    for (const kind of KINDS) {
      source.addEventListener(kind, (message) => this.dispatch(kind, message as MessageEvent<string>));
    }
  }

  private scheduleReopen(): void {
    window.clearTimeout(this.retryTimer);
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.retryTimer = window.setTimeout(() => {
      if (!this.token) return;
      this.verifySession()
        .then((ok) => {
          if (ok && this.token) this.open("reconnecting");
          else if (this.token) this.scheduleReopen();
        })
        .catch(() => {
          if (this.token) this.scheduleReopen();
        });
    }, delay);
  }

  private close(): void {
    window.clearTimeout(this.retryTimer);
    if (this.source) {
      this.source.onopen = null;
      this.source.onerror = null;
      this.source.close();
      this.source = null;
    }
  }

  private dispatch<K extends StreamKind>(kind: K, message: MessageEvent<string>): void {
    let data: StreamMessages[K];
    try {
      data = JSON.parse(message.data) as StreamMessages[K];
    } catch {
      return; // a malformed message is skipped, the stream goes on
    }
    if (this.status !== "live") this.setStatus("live");
    (this.handlers[kind] as Set<Handler<K>>).forEach((handler) => handler(data));
  }

  private setStatus(status: StreamStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.statusListeners.forEach((listener) => listener(status));
  }
}

// React access to the app's LiveStream: its status, and subscriptions to its messages.

import { createContext, useContext, useEffect, useRef, useState } from "react";
import type { LiveStream, StreamKind, StreamMessages, StreamStatus } from "../stream";

export const StreamContext = createContext<LiveStream | null>(null);

export function useLiveStream(): LiveStream | null {
  return useContext(StreamContext);
}

export function useStreamStatus(): StreamStatus {
  const stream = useLiveStream();
  const [status, setStatus] = useState<StreamStatus>(() => stream?.getStatus() ?? "off");
  useEffect(() => {
    if (!stream) return;
    setStatus(stream.getStatus());
    return stream.onStatus(setStatus);
  }, [stream]);
  return status;
}

/** Calls `handler` for each message of `kind` (the latest handler, without resubscribing). */
export function useStreamMessage<K extends StreamKind>(kind: K, handler: (message: StreamMessages[K]) => void): void {
  const stream = useLiveStream();
  const saved = useRef(handler);
  saved.current = handler;
  useEffect(() => {
    if (!stream) return;
    return stream.on(kind, (message) => saved.current(message));
  }, [stream, kind]);
}

/** Asks the stream for `score` messages of `sensor` while the calling component is shown. */
export function useStreamSensor(sensor: string | null): void {
  const stream = useLiveStream();
  useEffect(() => {
    if (!stream) return;
    stream.setSensor(sensor);
    return () => stream.setSensor(null);
  }, [stream, sensor]);
}

/**
 * Calls `callback` when the stream is live again after it had dropped: messages may have
 * been lost meanwhile, so the page should re-read what it shows.
 */
export function useStreamResync(callback: () => void): void {
  const stream = useLiveStream();
  const saved = useRef(callback);
  saved.current = callback;
  useEffect(() => {
    if (!stream) return;
    let previous = stream.getStatus();
    return stream.onStatus((status) => {
      if (status === "live" && previous === "reconnecting") saved.current();
      previous = status;
    });
  }, [stream]);
}

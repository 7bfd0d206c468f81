// Loads data for a page: loading / ok / error states, a reload for Retry buttons, and a
// setter so live updates and action results can replace the data without a refetch.
// A change of `deps` (or unmounting) aborts the call in flight.

import { useCallback, useEffect, useRef, useState } from "react";
import type { DependencyList } from "react";
import { isAbort } from "../api";

export type AsyncState<T> =
  | { status: "loading"; data?: T; error?: undefined }
  | { status: "ok"; data: T; error?: undefined }
  | { status: "error"; data?: T; error: unknown };

export interface Async<T> {
  state: AsyncState<T>;
  /** Fetches again; keeps the current data visible while loading when `quiet`. */
  reload: (quiet?: boolean) => void;
  /** Changes the loaded data; updates that come while loading are applied once it is loaded. */
  setData: (update: (current: T) => T) => void;
}

export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Async<T> {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading" });
  const [generation, setGeneration] = useState(0);
  const quietRef = useRef(false);
  const loadRef = useRef(load);
  loadRef.current = load;
  const statusRef = useRef<AsyncState<T>["status"]>("loading");
  statusRef.current = state.status;
  const pending = useRef<((current: T) => T)[]>([]);

  useEffect(() => {
    const controller = new AbortController();
    pending.current = []; // updates made against the previous data do not apply to a new load
    if (!quietRef.current) setState({ status: "loading" });
    quietRef.current = false;
    loadRef
      .current(controller.signal)
      .then((data) => {
        if (controller.signal.aborted) return;
        const updates = pending.current;
        pending.current = [];
        setState({ status: "ok", data: updates.reduce((d, update) => update(d), data) });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted || isAbort(error)) return;
        setState((previous) => ({ status: "error", error, data: previous.data }));
      });
    return () => controller.abort();
  }, [...deps, generation]);

  const reload = useCallback((quiet = false) => {
    quietRef.current = quiet;
    setGeneration((g) => g + 1);
  }, []);

  const setData = useCallback((update: (current: T) => T) => {
    if (statusRef.current !== "ok") {
      pending.current.push(update);
      return;
    }
    setState((previous) => (previous.status === "ok" ? { status: "ok", data: update(previous.data) } : previous));
  }, []);

  return { state, reload, setData };
}

import { useCallback, useEffect, useRef, useState } from "react";

/** Ids marked "fresh" for a few seconds (rows that just arrived live get a highlight). */
export function useFreshIds(ms = 8000): [ReadonlySet<string>, (id: string) => void] {
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const timers = useRef(new Map<string, number>());

  const mark = useCallback(
    (id: string) => {
      setFresh((current) => new Set(current).add(id));
      window.clearTimeout(timers.current.get(id));
      timers.current.set(
        id,
        window.setTimeout(() => {
          timers.current.delete(id);
          setFresh((current) => {
            const next = new Set(current);
            next.delete(id);
            return next;
          });
        }, ms),
      );
    },
    [ms],
  );

  useEffect(() => {
    const all = timers.current;
    return () => all.forEach((t) => window.clearTimeout(t));
  }, []);

  return [fresh, mark];
}

// Last 6 h / 24 h / 7 d (relative to the newest data) or a custom from–to.

import { useEffect, useState, type FormEvent } from "react";
import { fromLocalInput, PRESETS, presetRange, toLocalInput, type Preset, type TimeRange } from "../timeRange";

interface Props {
  range: TimeRange;
  newest: number;
  onChange: (range: TimeRange) => void;
}

export function RangePicker({ range, newest, onChange }: Props) {
  const [custom, setCustom] = useState(range.preset === "custom");
  const [from, setFrom] = useState(toLocalInput(range.from));
  const [to, setTo] = useState(toLocalInput(range.to));
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setFrom(toLocalInput(range.from));
    setTo(toLocalInput(range.to));
  }, [range.from, range.to]);

  function pick(preset: Preset) {
    setCustom(false);
    setError(null);
    onChange(presetRange(preset, newest));
  }

  function apply(e: FormEvent) {
    e.preventDefault();
    const f = fromLocalInput(from);
    const t = fromLocalInput(to);
    if (f === null || t === null) return setError("Enter both times.");
    if (f >= t) return setError("“From” must be before “to”.");
    setError(null);
    onChange({ preset: "custom", from: f, to: t });
  }

  return (
    <div className="range-picker">
      <div className="segmented" role="group" aria-label="Time range">
        {PRESETS.map((p) => (
          <button
            key={p.key}
            type="button"
            className={!custom && range.preset === p.key ? "seg active" : "seg"}
            aria-pressed={!custom && range.preset === p.key}
            data-testid={`range-${p.key}`}
            onClick={() => pick(p.key)}
          >
            {p.label}
          </button>
        ))}
        <button
          type="button"
          className={custom ? "seg active" : "seg"}
          aria-pressed={custom}
          data-testid="range-custom"
          onClick={() => setCustom(true)}
        >
          Custom
        </button>
      </div>
      {custom && (
        <form className="range-custom" onSubmit={apply}>
          <label>
            From
            <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="range-from" />
          </label>
          <label>
            To
            <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} data-testid="range-to" />
          </label>
          <button type="submit" className="btn btn-small" data-testid="range-apply">
            Show
          </button>
          {error && (
            <span className="field-error" role="alert">
              {error}
            </span>
          )}
        </form>
      )}
    </div>
  );
}

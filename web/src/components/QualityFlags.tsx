// How many points in view carry each quality flag, with the symbol the chart uses.

import type { PointStyle } from "chart.js";
import { ALL_FLAGS, FLAG_HELP, FLAG_STYLES, flagCounts } from "../quality";
import { humanize } from "../format";
import type { CleanPoint } from "../types";

export function QualityFlags({ points }: { points: CleanPoint[] }) {
  const counts = flagCounts(points);
  const flagged = points.filter((p) => p.flags.length > 0).length;
  return (
    <div className="quality-flags" data-testid="quality-flags">
      <h3>
        Data quality{" "}
        <span className="muted">
          {flagged} of {points.length} clean points flagged
        </span>
      </h3>
      <ul>
        {ALL_FLAGS.map((flag) => {
          const style = FLAG_STYLES[flag];
          const n = counts.get(flag) ?? 0;
          return (
            <li key={flag} className={n ? "flag-item" : "flag-item flag-none"} data-flag={flag} data-count={n} title={FLAG_HELP[flag]}>
              <FlagSymbol colour={style?.colour} shape={style?.pointStyle} hollow={style?.hollow ?? false} />
              <span className="flag-name">{style?.label ?? humanize(flag)}</span>
              <span className="flag-count">{n}</span>
              <span className="flag-help">{FLAG_HELP[flag]}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function FlagSymbol({ colour, shape, hollow }: { colour?: string; shape?: PointStyle; hollow: boolean }) {
  if (!colour) return <span className="flag-symbol flag-symbol-none" aria-hidden="true" title="counted, not drawn" />;
  const fill = hollow ? "#fff" : colour;
  const common = { stroke: colour, strokeWidth: 1.5, fill };
  let mark;
  switch (shape) {
    case "crossRot":
      mark = <path d="M-4,-4 L4,4 M-4,4 L4,-4" {...common} />;
      break;
    case "rect":
      mark = <rect x={-4} y={-4} width={8} height={8} {...common} />;
      break;
    case "rectRot":
      mark = <polygon points="0,-5 5,0 0,5 -5,0" {...common} />;
      break;
    case "triangle":
      mark = <polygon points="0,-5 5,4 -5,4" {...common} />;
      break;
    case "star":
      mark = <path d="M0,-5 L0,5 M-5,0 L5,0 M-3.5,-3.5 L3.5,3.5 M-3.5,3.5 L3.5,-3.5" {...common} />;
      break;
    default:
      mark = <circle r={4} {...common} />;
  }
  return (
    <svg className="flag-symbol" width={14} height={14} viewBox="-7 -7 14 14" aria-hidden="true">
      {mark}
    </svg>
  );
}

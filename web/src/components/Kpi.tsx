import type { ReactNode } from "react";

interface Props {
  testId: string;
  label: string;
  value: ReactNode;
  sub?: ReactNode;
  tone?: "normal" | "warn" | "bad";
}

/** One headline figure. */
export function Kpi({ testId, label, value, sub, tone = "normal" }: Props) {
  return (
    <div className={`kpi kpi-${tone}`} data-testid={testId}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
      {sub && <div className="kpi-sub">{sub}</div>}
    </div>
  );
}

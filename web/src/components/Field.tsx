// A labelled form control with its error message underneath (linked for screen readers).

import type { ReactNode } from "react";

interface Props {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  children: ReactNode;
  errorTestId?: string;
}

export function Field({ id, label, error, hint, children, errorTestId }: Props) {
  return (
    <div className={error ? "field field-invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && (
        <div className="field-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <div className="field-error" id={`${id}-error`} role="alert" data-testid={errorTestId}>
          {error}
        </div>
      )}
    </div>
  );
}

/** aria attributes for the control inside a Field. */
export function describedBy(id: string, error?: string, hint?: string): { "aria-invalid"?: boolean; "aria-describedby"?: string } {
  if (error) return { "aria-invalid": true, "aria-describedby": `${id}-error` };
  if (hint) return { "aria-describedby": `${id}-hint` };
  return {};
}

// Loading, empty and error states shared by every page.

import type { ReactNode } from "react";
import { ApiError, errorMessage } from "../api";

export function Loading({ what = "Loading…" }: { what?: string }) {
  return (
    <div className="loading" data-testid="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {what}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

interface ErrorBannerProps {
  error: unknown;
  onRetry?: () => void;
  /** Words before the API's message, e.g. "Could not load the events". */
  title?: string;
}

export function ErrorBanner({ error, onRetry, title }: ErrorBannerProps) {
  const status = error instanceof ApiError && error.status > 0 ? ` (${error.status})` : "";
  const retryAfter = error instanceof ApiError && error.retryAfter ? ` Try again in ${error.retryAfter} s.` : "";
  return (
    <div className="banner banner-error" data-testid="error-banner" role="alert">
      <div className="banner-text">
        {title && <strong>{title}{status}: </strong>}
        {errorMessage(error)}
        {retryAfter}
      </div>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Notice({ kind = "info", children, testId }: { kind?: "info" | "success" | "warning"; children: ReactNode; testId?: string }) {
  return (
    <div className={`banner banner-${kind}`} role="status" data-testid={testId}>
      <div className="banner-text">{children}</div>
    </div>
  );
}

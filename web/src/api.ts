// Fetch wrapper and the access token: every call goes through `request`, which adds the
// bearer token, parses JSON, and turns an error response into an ApiError carrying the
// gateway's {"error": {...}} fields. A 401 on an authenticated call drops the token and
// tells the app (which shows the login page with a message).

import type { ApiErrorBody } from "./types";

const TOKEN_KEY = "waterline.token";

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable: nothing to clear
  }
}

/** An error answered by the gateway (or status 0 when it could not be reached). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  /** Seconds from Retry-After, when the gateway sent one (429, 503). */
  readonly retryAfter?: number;
  /** The parsed body, for routes that answer data with an error status (health's 503). */
  readonly body?: unknown;

  constructor(status: number, code: string, message: string, field?: string, retryAfter?: number, body?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
    this.body = body;
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

/** A message for a person: the API's message, or a plain one for other failures. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

type UnauthorizedListener = (message: string) => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Called when an authenticated call gets 401: the token is already dropped. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/**
 * How a call uses the token:
 * - "required": send it; a 401 logs out (client routes).
 * - "optional": send it if there is one; on 401 drop it and retry anonymously (public routes).
 * - "none": never send it (login).
 */
export type AuthMode = "required" | "optional" | "none";

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  method?: "GET" | "POST";
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  auth?: AuthMode;
}

export function buildPath(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function send(path: string, options: RequestOptions, withToken: boolean): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = withToken ? getToken() : null;
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  try {
    return await fetch(buildPath(path, options.query), {
      method: options.method ?? "GET",
      headers,
      body,
      signal: options.signal,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(0, "network", "Cannot reach the Waterline server. Check the connection and retry.");
  }
}

async function readJSON(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === "object" && error !== null && "message" in error;
}

function toApiError(response: Response, body: unknown): ApiError {
  const retryHeader = response.headers.get("Retry-After");
  const retryAfter = retryHeader !== null && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined;
  if (isErrorBody(body)) {
    const e = body.error;
    return new ApiError(response.status, e.code ?? "error", e.message, e.field || undefined, retryAfter, body);
  }
  // Some routes answer a plain {"message": ...} with an error status (training's 409).
  if (typeof body === "object" && body !== null && typeof (body as { message?: unknown }).message === "string") {
    const message = (body as { message: string }).message;
    return new ApiError(response.status, "http_" + response.status, message, undefined, retryAfter, body);
  }
  const fallback =
    response.status === 503
      ? "The service is unavailable right now. Retry in a moment."
      : `The server answered ${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, "http_" + response.status, fallback, undefined, retryAfter, body);
}

/** Calls the API and returns its JSON body, or throws ApiError. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const auth = options.auth ?? "required";
  const hadToken = auth !== "none" && getToken() !== null;
  let response = await send(path, options, auth !== "none");
  if (response.status === 401 && auth === "optional" && hadToken) {
    clearToken();
    response = await send(path, options, false);
  } else if (response.status === 401 && auth === "required") {
    clearToken();
    const error = toApiError(response, await readJSON(response));
    const message = hadToken ? "Your session has ended. Please sign in again." : "Please sign in to see this page.";
    unauthorizedListeners.forEach((listener) => listener(message));
    throw error;
  }
  const body = await readJSON(response);
  if (!response.ok) throw toApiError(response, body);
  return body as T;
}

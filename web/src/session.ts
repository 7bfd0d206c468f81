// Who is using the app. Anonymous visitors and `public` accounts see only the public page;
// `client` accounts (staff) see everything, and the admin page when they are admins.

import { createContext, useContext } from "react";
import type { Me } from "./types";

export interface Session {
  user: Me;
  /** Stores a new token and user after a successful login. */
  signIn: (token: string, user: Me) => void;
  /** Drops the token; `message` is shown on the login page. */
  signOut: (message?: string) => void;
}

export const ANONYMOUS: Me = { name: "", role: "public", admin: false, anonymous: true };

export function isStaff(user: Me): boolean {
  return !user.anonymous && user.role === "client";
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionContext");
  return session;
}

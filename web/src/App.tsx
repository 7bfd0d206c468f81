// The app shell: who is signed in, the live stream, the header and the page for the route.
// Access: staff (`client`) see every page, admins also Admin; anonymous visitors and
// `public` accounts get only the public page (or the login page) — client data is never
// requested for them.

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { clearToken, getToken, onUnauthorized } from "./api";
import * as api from "./endpoints";
import { Nav } from "./components/Nav";
import { ErrorBanner, Loading, Notice } from "./components/Status";
import { StreamContext } from "./hooks/useStream";
import { AdminPage } from "./pages/AdminPage";
import { EventDetailPage } from "./pages/EventDetailPage";
import { EventsPage } from "./pages/EventsPage";
import { LoginPage } from "./pages/LoginPage";
import { ModelsPage } from "./pages/ModelsPage";
import { OverviewPage } from "./pages/OverviewPage";
import { PublicPage } from "./pages/PublicPage";
import { ReportsPage } from "./pages/ReportsPage";
import { SensorPage } from "./pages/SensorPage";
import { SensorsPage } from "./pages/SensorsPage";
import { href, navigate, useRoute, type Route } from "./router";
import { ANONYMOUS, isStaff, SessionContext, type Session } from "./session";
import { LiveStream } from "./stream";
import type { Me } from "./types";

export function App() {
  const route = useRoute();
  const [user, setUser] = useState<Me | null>(null);
  const [bootError, setBootError] = useState<unknown>(null);
  const [bootTry, setBootTry] = useState(0);
  const [loginMessage, setLoginMessage] = useState<string | null>(null);
  const returnTo = useRef<string | null>(null);

  const signOut = useCallback((message?: string) => {
    clearToken();
    setUser(ANONYMOUS);
    setLoginMessage(message ?? null);
    navigate(href.login);
  }, []);
  const signOutRef = useRef(signOut);
  signOutRef.current = signOut;

  const stream = useMemo(
    () =>
      new LiveStream(async () => {
        const me = await api.me();
        if (isStaff(me)) return true;
        signOutRef.current("Your session has ended. Please sign in again.");
        return false;
      }),
    [],
  );

  // Who am I? (a stored token may have expired: /auth/me then answers for an anonymous caller)
  useEffect(() => {
    const controller = new AbortController();
    setBootError(null);
    api.me(controller.signal).then(
      (me) => setUser(me.anonymous ? ANONYMOUS : me),
      (error: unknown) => {
        if (!controller.signal.aborted) setBootError(error);
      },
    );
    return () => controller.abort();
  }, [bootTry]);

  // Any 401 from a client call: back to the login page, then back here after signing in.
  useEffect(
    () =>
      onUnauthorized((message) => {
        const here = window.location.hash;
        if (here && !here.startsWith(href.login) && !here.startsWith(href.public)) returnTo.current = here;
        signOut(message);
      }),
    [signOut],
  );

  // The live stream runs while a staff member is signed in.
  useEffect(() => {
    const token = getToken();
    if (user && isStaff(user) && token) stream.start(token);
    else stream.stop();
  }, [user, stream]);
  useEffect(() => () => stream.stop(), [stream]);

  const signIn = useCallback((_token: string, me: Me) => {
    setUser(me);
    setLoginMessage(null);
    if (!isStaff(me)) navigate(href.public);
    else if (returnTo.current) navigate(returnTo.current);
    else if (parseIsLogin(window.location.hash)) navigate(href.overview);
    returnTo.current = null;
  }, []);

  const session: Session | null = useMemo(() => (user ? { user, signIn, signOut } : null), [user, signIn, signOut]);

  if (!session) {
    return (
      <main className="page page-boot">
        {bootError ? (
          <ErrorBanner title="Could not reach Waterline" error={bootError} onRetry={() => setBootTry((n) => n + 1)} />
        ) : (
          <Loading what="Starting Waterline…" />
        )}
      </main>
    );
  }

  return (
    <SessionContext.Provider value={session}>
      <StreamContext.Provider value={stream}>
        <Nav route={route} />
        <main className="page" id="main">
          <Page route={route} user={session.user} loginMessage={loginMessage} />
        </main>
      </StreamContext.Provider>
    </SessionContext.Provider>
  );
}

function parseIsLogin(hash: string): boolean {
  return hash.replace(/^#\/?/, "").startsWith("login");
}

function Page({ route, user, loginMessage }: { route: Route; user: Me; loginMessage: string | null }) {
  const staff = isStaff(user);

  if (route.page === "public") return <PublicPage />;
  if (route.page === "login") return staff ? <OverviewRedirect /> : <LoginPage message={loginMessage} />;
  if (!staff) {
    if (route.page === "home") return <PublicPage />;
    if (user.anonymous) return <LoginPage message={loginMessage ?? "Sign in with a staff account to see this page."} />;
    return (
      <>
        <Notice kind="warning">This page is for utility staff. Your account can see the public page only.</Notice>
        <PublicPage />
      </>
    );
  }

  switch (route.page) {
    case "home":
    case "overview":
      return <OverviewPage />;
    case "sensors":
      return <SensorsPage />;
    case "sensor":
      return <SensorPage key={route.id} id={route.id} />;
    case "events":
      return <EventsPage />;
    case "event":
      return <EventDetailPage key={route.id} id={route.id} />;
    case "models":
      return <ModelsPage />;
    case "reports":
      return <ReportsPage />;
    case "admin":
      return user.admin ? <AdminPage /> : <Notice kind="warning">The admin page is for administrators only.</Notice>;
    default:
      return (
        <div className="card">
          <h1>Page not found</h1>
          <p>
            There is no page at “{route.path}”. <a href={href.overview}>Go to the overview</a>.
          </p>
        </div>
      );
  }
}

/** A signed-in staff member on #/login goes to the overview (unless signing in already sent them on). */
function OverviewRedirect() {
  useEffect(() => {
    if (parseIsLogin(window.location.hash)) navigate(href.overview);
  }, []);
  return <Loading />;
}

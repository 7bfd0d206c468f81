// The header: brand, live indicator, service health, and the navigation, which folds into
// a menu button on narrow screens.

import { useEffect, useState } from "react";
import { href, type Route } from "../router";
import { isStaff, useSession } from "../session";
import { HealthBadge } from "./HealthBadge";
import { LiveStatus } from "./LiveStatus";

interface Link {
  key: string;
  label: string;
  to: string;
  active: (route: Route) => boolean;
}

const STAFF_LINKS: Link[] = [
  { key: "overview", label: "Overview", to: href.overview, active: (r) => r.page === "overview" || r.page === "home" },
  { key: "sensors", label: "Sensors", to: href.sensors, active: (r) => r.page === "sensors" || r.page === "sensor" },
  { key: "events", label: "Events", to: href.events, active: (r) => r.page === "events" || r.page === "event" },
  { key: "models", label: "Models", to: href.models, active: (r) => r.page === "models" },
  { key: "reports", label: "Reports", to: href.reports, active: (r) => r.page === "reports" },
];
const ADMIN_LINK: Link = { key: "admin", label: "Admin", to: href.admin, active: (r) => r.page === "admin" };
const PUBLIC_LINK: Link = { key: "public", label: "Water near me", to: href.public, active: (r) => r.page === "public" };

export function Nav({ route }: { route: Route }) {
  const { user, signOut } = useSession();
  const [open, setOpen] = useState(false);
  const staff = isStaff(user);

  useEffect(() => setOpen(false), [route]);

  const links = staff ? [...STAFF_LINKS, ...(user.admin ? [ADMIN_LINK] : []), PUBLIC_LINK] : [PUBLIC_LINK];

  return (
    <header className="topbar">
      <div className="topbar-row">
        <a className="brand" href={staff ? href.overview : href.public}>
          <span className="brand-mark" aria-hidden="true" />
          Waterline
        </a>
        {staff && <LiveStatus />}
        {staff && <HealthBadge />}
        <button
          type="button"
          className="nav-toggle"
          aria-expanded={open}
          aria-controls="main-nav"
          onClick={() => setOpen((o) => !o)}
          data-testid="nav-toggle"
        >
          <span className="nav-toggle-bars" aria-hidden="true" />
          Menu
        </button>
      </div>
      <nav id="main-nav" className={open ? "nav nav-open" : "nav"} aria-label="Main">
        <ul>
          {links.map((link) => (
            <li key={link.key}>
              <a
                href={link.to}
                data-testid={`nav-${link.key}`}
                className={link.active(route) ? "active" : undefined}
                aria-current={link.active(route) ? "page" : undefined}
              >
                {link.label}
              </a>
            </li>
          ))}
        </ul>
        <div className="nav-user">
          {user.anonymous ? (
            <a href={href.login} data-testid="nav-login" className={route.page === "login" ? "active" : undefined}>
              Staff sign in
            </a>
          ) : (
            <>
              <span className="nav-user-name" title={`${user.role}${user.admin ? ", admin" : ""}`}>
                {user.name}
              </span>
              <button type="button" className="btn btn-small btn-quiet" data-testid="nav-logout" onClick={() => signOut()}>
                Sign out
              </button>
            </>
          )}
        </div>
      </nav>
    </header>
  );
}

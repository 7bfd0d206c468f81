// Hash routing: #/overview, #/sensors, #/sensors/<id>, #/events, #/events/<id>, #/models,
// #/reports, #/admin, #/public, #/login.

import { useEffect, useState } from "react";

export type Route =
  | { page: "home" }
  | { page: "overview" }
  | { page: "sensors" }
  | { page: "sensor"; id: string }
  | { page: "events" }
  | { page: "event"; id: string }
  | { page: "models" }
  | { page: "reports" }
  | { page: "admin" }
  | { page: "public" }
  | { page: "login" }
  | { page: "unknown"; path: string };

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/^\/+/, "").replace(/\/+$/, "");
  if (path === "") return { page: "home" };
  const [head, ...rest] = path.split("/");
  const id = rest.length ? decode(rest.join("/")) : "";
  switch (head) {
    case "overview":
      return { page: "overview" };
    case "sensors":
      return id ? { page: "sensor", id } : { page: "sensors" };
    case "events":
      return id ? { page: "event", id } : { page: "events" };
    case "models":
      return { page: "models" };
    case "reports":
      return { page: "reports" };
    case "admin":
      return { page: "admin" };
    case "public":
      return { page: "public" };
    case "login":
      return { page: "login" };
    default:
      return { page: "unknown", path };
  }
}

export const href = {
  overview: "#/overview",
  sensors: "#/sensors",
  sensor: (id: string) => `#/sensors/${encodeURIComponent(id)}`,
  events: "#/events",
  event: (id: string) => `#/events/${encodeURIComponent(id)}`,
  models: "#/models",
  reports: "#/reports",
  admin: "#/admin",
  public: "#/public",
  login: "#/login",
};

export function navigate(to: string): void {
  if (window.location.hash !== to) window.location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}

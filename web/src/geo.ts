// Drawing positions on the offline schematic: an equirectangular projection fitted into a
// box, and convex hulls for zone outlines.

export interface LatLon {
  lat: number;
  lon: number;
}

export interface Point {
  x: number;
  y: number;
}

/** A position is usable when it is finite, in range, and not the (0, 0) "unknown" default. */
export function hasPosition(p: LatLon): boolean {
  return (
    Number.isFinite(p.lat) &&
    Number.isFinite(p.lon) &&
    Math.abs(p.lat) <= 90 &&
    Math.abs(p.lon) <= 180 &&
    !(p.lat === 0 && p.lon === 0)
  );
}

export type Projection = (p: LatLon) => Point;

/** Fits `points` into width × height (minus padding), keeping distances true in both axes. */
export function fitProjection(points: LatLon[], width: number, height: number, padding: number): Projection {
  const usable = points.filter(hasPosition);
  if (usable.length === 0) return () => ({ x: width / 2, y: height / 2 });
  const lats = usable.map((p) => p.lat);
  const lons = usable.map((p) => p.lon);
  const minLat = Math.min(...lats);
  const maxLat = Math.max(...lats);
  const minLon = Math.min(...lons);
  const maxLon = Math.max(...lons);
  const midLat = (minLat + maxLat) / 2;
  const midLon = (minLon + maxLon) / 2;
  const k = Math.cos((midLat * Math.PI) / 180);
  const minSpan = 0.002; // degrees: one lone sensor still gets a sensible scale
  const spanX = Math.max((maxLon - minLon) * k, minSpan);
  const spanY = Math.max(maxLat - minLat, minSpan);
  const scale = Math.min((width - 2 * padding) / spanX, (height - 2 * padding) / spanY);
  return (p) => ({
    x: width / 2 + (p.lon - midLon) * k * scale,
    y: height / 2 - (p.lat - midLat) * scale,
  });
}

function cross(o: Point, a: Point, b: Point): number {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/** Convex hull (Andrew's monotone chain), counter-clockwise; fewer than 3 points come back as they are. */
export function convexHull(points: Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  const unique = sorted.filter((p, i) => i === 0 || p.x !== sorted[i - 1].x || p.y !== sorted[i - 1].y);
  if (unique.length < 3) return unique;
  const lower: Point[] = [];
  for (const p of unique) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = unique.length - 1; i >= 0; i--) {
    const p = unique[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  upper.pop();
  lower.pop();
  return [...lower, ...upper];
}

export function pointsAttr(points: Point[]): string {
  return points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
}

// Greedy placement of sensor labels on the schematic: each label tries a few spots around
// its marker and is left out (the marker keeps its tooltip) when all of them would overlap
// another label or marker.

import type { Point } from "./geo";

export interface LabelSpot {
  x: number;
  y: number;
  anchor: "start" | "end";
}

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const CHAR_WIDTH = 5.8; // at the 10 px label font
const HEIGHT = 12;
const MARKER = 7;

function overlaps(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/** `items` in priority order (the first get the best spots). */
export function placeLabels(
  items: { id: string; at: Point; text: string }[],
  width: number,
  height: number,
  reserved: Box[] = [],
): Map<string, LabelSpot> {
  const taken: Box[] = items.map(({ at }) => ({ x0: at.x - MARKER, y0: at.y - MARKER, x1: at.x + MARKER, y1: at.y + MARKER }));
  taken.push(...reserved);
  const out = new Map<string, LabelSpot>();
  items.forEach(({ id, at, text }, index) => {
    const w = text.length * CHAR_WIDTH + 2;
    const spots: (LabelSpot & { box: Box })[] = [
      { x: at.x + 9, y: at.y + 4, anchor: "start", box: { x0: at.x + 8, y0: at.y - 8, x1: at.x + 9 + w, y1: at.y + 4 } },
      { x: at.x - 9, y: at.y + 4, anchor: "end", box: { x0: at.x - 9 - w, y0: at.y - 8, x1: at.x - 8, y1: at.y + 4 } },
      { x: at.x + 6, y: at.y - 8, anchor: "start", box: { x0: at.x + 5, y0: at.y - 8 - HEIGHT + 2, x1: at.x + 6 + w, y1: at.y - 6 } },
      { x: at.x + 6, y: at.y + 16, anchor: "start", box: { x0: at.x + 5, y0: at.y + 6, x1: at.x + 6 + w, y1: at.y + 18 } },
      { x: at.x - 6, y: at.y - 8, anchor: "end", box: { x0: at.x - 6 - w, y0: at.y - 8 - HEIGHT + 2, x1: at.x - 5, y1: at.y - 6 } },
      { x: at.x - 6, y: at.y + 16, anchor: "end", box: { x0: at.x - 6 - w, y0: at.y + 6, x1: at.x - 5, y1: at.y + 18 } },
    ];
    const own = taken[index];
    const spot = spots.find(
      (s) => s.box.x0 >= 0 && s.box.x1 <= width && s.box.y0 >= 0 && s.box.y1 <= height && !taken.some((t) => t !== own && overlaps(t, s.box)),
    );
    if (spot) {
      taken.push(spot.box);
      out.set(id, { x: spot.x, y: spot.y, anchor: spot.anchor });
    }
  });
  return out;
}

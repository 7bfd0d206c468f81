// The browser's position, as a promise with a plain-language error.

export function currentPosition(): Promise<{ lat: number; lon: number }> {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) {
      reject(new Error("This browser cannot share its location. Enter the coordinates instead."));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude }),
      (error) => {
        const why =
          error.code === error.PERMISSION_DENIED
            ? "Location access was refused."
            : error.code === error.TIMEOUT
              ? "Finding the location took too long."
              : "The location is not available.";
        reject(new Error(`${why} Enter the coordinates instead.`));
      },
      { enableHighAccuracy: false, timeout: 15_000, maximumAge: 60_000 },
    );
  });
}

/** Coordinates as form text with 5 decimals (about a metre). */
export function coordText(value: number): string {
  return value.toFixed(5);
}

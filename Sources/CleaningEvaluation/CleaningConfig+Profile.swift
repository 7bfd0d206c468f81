import Cleaning

extension CleaningConfig {
    /// The cleaner settings for one evaluated series, derived from its untouched values
    /// only (never from anomaly labels or from the injected faults):
    ///
    /// - `stuckSteps`: one more than the longest natural run of identical values, so no
    ///   natural run is ever called stuck, and at least 3, so two equal readings in a row
    ///   (common on a quantised sensor) never are. SKAB's pressure and flow repeat
    ///   values for up to 17…43 s at 1 s, so this is per series.
    /// - `spikeMinScale`: the largest of the quantisation step, the robust noise scale
    ///   and the plain variability (`SeriesProfile.variability`): what an operator sets
    ///   as the sensor's resolution from its history. The Hampel window's own scale is
    ///   0 on a flat stretch of a quantised series; this floor keeps a one-step move,
    ///   or one of the sensor's ordinary one-reading excursions, from being a spike.
    /// - `minValue`/`maxValue`: the untouched minimum and maximum widened by 50% of the
    ///   range on each side: what a sensor's plausible range would be set to from its
    ///   history, loose enough that normal operation never trips it.
    /// - The Hampel window and threshold stay at the cleaner's defaults; `maxFillSteps`
    ///   is 5, the short-gap bound; `stuckTolerance` 0 (a frozen transmitter
    ///   repeats the exact value).
    public init(
        profile: SeriesProfile, cadenceMs: Int64, allowedLatenessMs: Int64, aggregation: SlotAggregation
    ) {
        let widen = profile.range > 0 ? 0.5 * profile.range : max(0.5 * abs(profile.maxValue), 1)
        let floor = max(profile.quantisationStep, profile.noiseScale, profile.variability)
        self.init(
            cadenceMs: cadenceMs, allowedLatenessMs: allowedLatenessMs, maxFillSteps: 5,
            minValue: profile.minValue - widen, maxValue: profile.maxValue + widen,
            stuckSteps: max(profile.longestRun + 1, 3), stuckTolerance: 0, aggregation: aggregation,
            spikeHalfWidth: CleaningConfig.defaultSpikeHalfWidth, spikeThreshold: CleaningConfig.defaultSpikeThreshold,
            spikeMinScale: floor > 0 ? floor : 1e-6, smoothingAlpha: 0.3)
    }
}

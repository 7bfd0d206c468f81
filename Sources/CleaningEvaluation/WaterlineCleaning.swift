import Cleaning

/// Runs the real cleaner (``SeriesCleaner``) as the preprocess service would: readings
/// in arrival order, in batches, then the end of the data.
public enum WaterlineCleaning {
    public static func clean(_ series: InjectedSeries, config: CleaningConfig, batchSize: Int = 50) -> CleanedSeries {
        precondition(batchSize > 0, "batch size must be positive")
        var cleaner = SeriesCleaner(config: config)
        var versions: [CleanSample] = []
        var start = 0
        while start < series.readings.count {
            let end = min(start + batchSize, series.readings.count)
            versions += cleaner.add(Array(series.readings[start..<end]))
            // Late readings would trigger a rebuild in the service; here they are only
            // counted (the injector keeps every reading within the allowed lateness).
            _ = cleaner.takeLate()
            start = end
        }
        versions += cleaner.finish()
        return CleanedSeries(
            versions: versions, of: series, duplicatesDropped: cleaner.duplicateCount, lateReadings: cleaner.lateCount)
    }
}

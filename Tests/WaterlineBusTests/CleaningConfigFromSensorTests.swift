import Cleaning
import Testing
import WaterlineKit
import WaterlineProto

/// The cleaning settings a registered sensor gets.
@Suite struct CleaningConfigFromSensorTests {
    static func pumpFlow(min: Double = 0, max: Double = 50, resolution: Double = 0) -> Sensor {
        var s = Sensor()
        s.sensorID = "PUMP_1"
        s.kind = .flow
        s.unit = "m3/h"
        s.minValue = min
        s.maxValue = max
        s.resolution = resolution
        s.cadenceMs = 300_000
        return s
    }

    @Test func aStoppedPumpsMeterNoiseAroundZeroIsInRange() {
        // L-Town's PUMP_1 reads down to −0.19 m³/h while the pump is off (range 0–50).
        let config = CleaningConfig(sensor: Self.pumpFlow(), maxFillSteps: 5)
        #expect(config.rangeTolerance == 0.5)  // 1 % of 50 m³/h
        #expect(config.isInRange(-0.19))
        #expect(!config.isInRange(-1.0))
        #expect(!config.isInRange(51.0))
    }

    @Test func theToleranceIsAtLeastTheResolutionAndZeroForAnOpenRange() {
        let coarse = CleaningConfig(sensor: Self.pumpFlow(resolution: 1), maxFillSteps: 5)
        #expect(coarse.rangeTolerance == 1)
        let open = CleaningConfig(sensor: Self.pumpFlow(max: .infinity), maxFillSteps: 5)
        #expect(open.rangeTolerance == 0)
        #expect(!open.isInRange(-1e-9))
    }
}

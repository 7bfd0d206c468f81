import Foundation
import Simulation
import Testing
@testable import Detection

/// A zone's pressures against its demand: two sensors whose heads fall with the square of
/// the demand (the mains' head loss) and with an outlet pump's flow, hourly for three days.
@Suite struct PressureRegressionTests {
    static let hour: Int64 = 3_600_000
    static let t0: Int64 = 1_704_067_200_000

    static func demand(_ i: Int) -> Double { 100 + 40 * sin(Double(i % 24) / 24 * 2 * .pi) }
    static func pump(_ i: Int) -> Double { i % 24 < 6 ? 30 : 0 }
    static func head(_ d: Double, pump: Double, drop: Double) -> Double { 5 - 0.0001 * d * d - 0.002 * pump - drop }

    /// Steps `0..<steps`; from `leakFrom` on the inflow carries a 20 m³/h leak (the balance
    /// alarmed, its excess 20) and "near" drops a further 0.05 bar.
    static func fed(steps: Int, leakFrom: Int?) -> PressureRegression {
        var model = PressureRegression()
        for i in 0..<steps {
            let leaking = leakFrom.map { i >= $0 } ?? false
            let inflow = demand(i) + (leaking ? 20 : 0)
            let ts = t0 + Int64(i) * hour
            model.add(sensorID: "pump", tsMs: ts, value: pump(i), isCovariate: true)
            model.add(sensorID: "near", tsMs: ts, value: head(inflow, pump: pump(i), drop: leaking ? 0.05 : 0), isCovariate: false)
            model.add(sensorID: "far", tsMs: ts, value: head(inflow, pump: pump(i), drop: 0), isCovariate: false)
            model.addStep(tsMs: ts, demand: inflow, leakFreeDemand: inflow - (leaking ? 20 : 0), alarmed: leaking)
        }
        return model
    }

    @Test func aLeaksResidualsAreThePressureItsFlowCostsEachSensor() throws {
        let model = Self.fed(steps: 72, leakFrom: 60)
        #expect(model.isReady)
        let residuals = model.meanResiduals(from: Self.t0 + 60 * Self.hour, windowMs: 24 * Self.hour)
        // Steps 60...70 are measured (71 waits for the next step's verdict).
        #expect(model.residuals["far"]?.count == 11)
        var expectedFar = 0.0
        for i in 60...70 { expectedFar += -0.0001 * (pow(Self.demand(i) + 20, 2) - pow(Self.demand(i), 2)) }
        expectedFar /= 11
        let far = try #require(residuals["far"])
        let near = try #require(residuals["near"])
        #expect(abs(far - expectedFar) < 1e-6, "far \(far), expected \(expectedFar)")
        #expect(abs(near - (expectedFar - 0.05)) < 1e-6, "near \(near)")
        #expect(residuals["pump"] == nil)
    }

    @Test func nothingIsMeasuredBeforeADayIsFittedOrWithoutAnAlarm() {
        let young = Self.fed(steps: 20, leakFrom: 10)
        #expect(!young.isReady)
        #expect(young.residuals.isEmpty)
        let quiet = Self.fed(steps: 72, leakFrom: nil)
        #expect(quiet.isReady)
        #expect(quiet.residuals.isEmpty && quiet.lastResidualMs == nil)
    }

    @Test func theWindowStartsAtTheFirstAlarmedStepAfterTheEventsStart() throws {
        let model = Self.fed(steps: 72, leakFrom: 60)
        let first = try #require(model.firstResidualMs(from: Self.t0))
        #expect(first == Self.t0 + 60 * Self.hour)
        let hourly = model.meanResiduals(from: first, windowMs: Self.hour)
        let firstStep = -0.0001 * (pow(Self.demand(60) + 20, 2) - pow(Self.demand(60), 2))
        #expect(abs((hourly["far"] ?? .nan) - firstStep) < 1e-6)
        #expect(model.meanResiduals(from: Self.t0 + 71 * Self.hour, windowMs: Self.hour).isEmpty)
    }

    @Test func aNewCovariateStartsTheFitsAgain() {
        var model = Self.fed(steps: 48, leakFrom: nil)
        #expect(model.isReady)
        model.add(sensorID: "tank", tsMs: Self.t0 + 48 * Self.hour, value: 3, isCovariate: true)
        #expect(!model.isReady)
        #expect(model.covariates == ["pump", "tank"])
    }

    @Test func aStateRoundTripsThroughJSON() throws {
        let model = Self.fed(steps: 72, leakFrom: 60)
        let decoded = try JSONDecoder().decode(PressureRegression.self, from: JSONEncoder().encode(model))
        #expect(decoded == model)
    }
}

extension PressureRegressionTests {
    @Test func alarmedStepsAreKeptForTwoDaysAndValuesWaitingForAStepAreBounded() {
        // Alarmed for 4 days after 2 quiet ones: only the last two days' residuals remain.
        let model = Self.fed(steps: 144, leakFrom: 48)
        let kept = model.residuals["far"] ?? []
        let newest = Self.t0 + 142 * Self.hour
        #expect(kept.last?.tsMs == newest)
        #expect(kept.allSatisfy { $0.tsMs >= newest - PressureRegression.keptResidualMs - Self.hour }, "\(kept.count) kept")
        #expect(kept.count <= 50)
        // A balance that judges no step: values wait, but not without bound.
        var silent = PressureRegression()
        for i in 0..<5_000 { silent.add(sensorID: "p", tsMs: Self.t0 + Int64(i) * 60_000, value: 1, isCovariate: false) }
        silent.addStep(tsMs: Self.t0 + 5_000 * 60_000, demand: 1, leakFreeDemand: 1, alarmed: false)
        #expect(silent.pendingValues <= 2 * PressureRegression.maxPendingValues)
    }
}

import Foundation

/// The deterministic synthetic network of a small city: zones, their sensors, where they sit
/// and the hydraulic parameters the simulator needs.
///
/// Per zone: one inlet flow sensor (`north-flow-in`), pressure sensors along the mains
/// (`north-p1` near the inlet ... `north-p5` far out, on nodes `J-N1` ...), and a bulk
/// customer meter (`north-meter-1`). One tank level sensor (`tank-1-level`) sits in the
/// third zone.
struct SyntheticNetwork {
    /// A point in local metres east (`x`) and north (`y`) of the city centre.
    struct Point {
        var x: Double
        var y: Double

        func distance(to other: Point) -> Double {
            ((x - other.x) * (x - other.x) + (y - other.y) * (y - other.y)).squareRoot()
        }
    }

    /// A pressure sensor and its hydraulics.
    struct PressureSite {
        var sensorIndex: Int
        var nodeId: String
        var position: Point
        /// Pressure with no flow, in bar (from the node's elevation below the supply head).
        var staticHead: Double
        /// Head loss per (m³/h)² of zone inflow, in bar.
        var headlossCoefficient: Double
    }

    /// A zone and its sensors.
    struct Zone {
        var id: String
        var name: String
        /// Mean demand over a weekday, in m³/h.
        var baseFlow: Double
        var inletSensorIndex: Int
        var pressureSites: [PressureSite]
        var meterSensorIndex: Int
        /// Share of the zone's demand the bulk customer meter sees.
        var meterShare: Double
    }

    var zones: [Zone]
    var sensors: [ScenarioSensor]
    var tankSensorIndex: Int
    /// Mean tank level in metres.
    var tankMeanLevel: Double

    /// Pressure drop in bar per m³/h of leak flow at the leak node itself; it fades with
    /// distance as `exp(-distance / leakInfluenceMetres)`.
    static let leakDropPerM3h = 0.0065
    static let leakInfluenceMetres = 400.0

    // MARK: - Layout

    private static let cityCentre = (lat: 52.0116, lon: 4.3571)
    private static let namedZones: [(id: String, name: String, letter: String, dx: Double, dy: Double)] = [
        ("north", "North", "N", 0, 1), ("east", "East", "E", 1, 0), ("south", "South", "S", 0, -1),
        ("west", "West", "W", -1, 0), ("central", "Central", "C", 0, 0),
    ]

    init(config: SimulationConfig) {
        precondition(config.zones >= 1, "at least one zone")
        precondition(config.pressureSensorsPerZone >= 1, "at least one pressure sensor per zone")
        var rng = SeededGenerator(seed: config.seed, stream: 1)
        var zones: [Zone] = []
        var sensors: [ScenarioSensor] = []
        let peakFactor = 1.8  // about the highest value of the daily demand profile
        let perZone = config.pressureSensorsPerZone

        for index in 0..<config.zones {
            let (id, name, letter, direction) = Self.naming(index, of: config.zones)
            let across = Point(x: -direction.y, y: direction.x)
            let centre = Point(x: direction.x * 1800, y: direction.y * 1800)
            // The trunk main enters each zone on the side facing the centre; the central
            // zone is fed from the south.
            let walk = (direction.x == 0 && direction.y == 0) ? Point(x: 0, y: 1) : direction
            let inlet = Point(x: centre.x - walk.x * 700, y: centre.y - walk.y * 700)
            let baseFlow = (rng.nextDouble(in: 90...160) * 10).rounded() / 10

            let inletIndex = sensors.count
            let inletId = "\(id)-flow-in"
            sensors.append(Self.sensor(
                inletId, kind: "flow", unit: "m3/h", zone: id, node: "P-\(letter)-IN", at: inlet,
                min: 0, max: (baseFlow * 3 / 10).rounded(.up) * 10))

            var sites: [PressureSite] = []
            for j in 1...perZone {
                let along = 260.0 * Double(j) + rng.nextDouble(in: -40...40)
                let side = rng.nextDouble(in: -220...220)
                let position = Point(
                    x: inlet.x + walk.x * along + across.x * side,
                    y: inlet.y + walk.y * along + across.y * side)
                let nodeId = "J-\(letter)\(j)"
                let remoteness = Double(j) / Double(perZone)
                let peakHeadloss = 0.25 + 0.8 * remoteness + rng.nextDouble(in: 0...0.1)
                let staticHead = (rng.nextDouble(in: 3.5...5.5) * 100).rounded() / 100
                sites.append(PressureSite(
                    sensorIndex: sensors.count, nodeId: nodeId, position: position,
                    staticHead: staticHead,
                    headlossCoefficient: peakHeadloss / ((peakFactor * baseFlow) * (peakFactor * baseFlow))))
                sensors.append(Self.sensor(
                    "\(id)-p\(j)", kind: "pressure", unit: "bar", zone: id, node: nodeId, at: position,
                    min: 0, max: 10))
            }

            let meterShare = (rng.nextDouble(in: 0.05...0.09) * 1000).rounded() / 1000
            let meterIndex = sensors.count
            let meterAt = Point(x: centre.x + across.x * 350, y: centre.y + across.y * 350)
            sensors.append(Self.sensor(
                "\(id)-meter-1", kind: "meter", unit: "m3/h", zone: id, node: "J-\(letter)\(perZone + 1)",
                at: meterAt, min: 0, max: (meterShare * baseFlow * 3).rounded(.up)))

            zones.append(Zone(
                id: id, name: name, baseFlow: baseFlow, inletSensorIndex: inletIndex,
                pressureSites: sites, meterSensorIndex: meterIndex, meterShare: meterShare))
        }

        let tankZone = zones[2 % zones.count]
        let tankAt = sensors[tankZone.meterSensorIndex]
        tankSensorIndex = sensors.count
        sensors.append(ScenarioSensor(
            sensorId: "tank-1-level", kind: "level", unit: "m", zone: tankZone.id, nodeId: "T-1",
            lat: ((tankAt.lat + 0.0031) * 1e6).rounded() / 1e6, lon: tankAt.lon, min: 0, max: 8))
        tankMeanLevel = 4.6
        self.zones = zones
        self.sensors = sensors
    }

    /// Id, name, node letter and outward direction of zone `index`.
    private static func naming(_ index: Int, of count: Int) -> (String, String, String, Point) {
        if index < namedZones.count {
            let zone = namedZones[index]
            return (zone.id, zone.name, zone.letter, Point(x: zone.dx, y: zone.dy))
        }
        let angle = 2 * Double.pi * Double(index) / Double(count) + 0.3
        return ("zone-\(index + 1)", "Zone \(index + 1)", "Z\(index + 1)-", Point(x: cos(angle), y: sin(angle)))
    }

    private static func sensor(
        _ id: String, kind: String, unit: String, zone: String, node: String, at point: Point,
        min: Double, max: Double
    ) -> ScenarioSensor {
        let metresPerDegree = 111_320.0
        let lat = cityCentre.lat + point.y / metresPerDegree
        let lon = cityCentre.lon + point.x / (metresPerDegree * cos(cityCentre.lat * Double.pi / 180))
        return ScenarioSensor(
            sensorId: id, kind: kind, unit: unit, zone: zone, nodeId: node,
            lat: (lat * 1e6).rounded() / 1e6, lon: (lon * 1e6).rounded() / 1e6, min: min, max: max)
    }
}

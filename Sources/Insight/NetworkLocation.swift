import Foundation
import Hydraulics
import WaterlineProto

/// Where a sensor sits: on the map, and on the network model (a node id, or empty).
struct SensorPlace: Sendable, Equatable {
    var lat: Double
    var lon: Double
    var nodeID: String
}

/// Locates leaks and bursts on the utility's network model (`WATERLINE_NETWORK_FILE`):
/// the pressure residuals detection keeps per event, for the sensors that sit on nodes of
/// the model, are matched against each junction's leak signature (`NetworkLocator`).
/// Candidates get map positions from an affine fit of the network's coordinates to the
/// sensors' latitude and longitude.
struct NetworkLocation: Sendable {
    let network: WaterNetwork
    /// What the note calls the model (the file's name).
    let name: String
    /// Locators built once per set of sensor nodes (a locator costs a solve per junction).
    private var locators: LocatorCache

    init(network: WaterNetwork, name: String) {
        self.network = network
        self.name = name
        locators = LocatorCache(network: network)
    }

    /// Candidates (junctions, then pipes) and the note that says what they are; nil when
    /// fewer than two of the residuals' sensors are on the model or nothing moved.
    mutating func locate(
        residualsBar: [String: Double], againstDemand: Bool = false, places: [String: SensorPlace]
    ) -> (candidates: [LocationCandidate], note: String)? {
        let onModel = residualsBar.keys.filter { id in places[id].map { network.nodeIndex[$0.nodeID] != nil } ?? false }.sorted()
        guard onModel.count >= 2 else { return nil }
        let metresPerBar = NetworkLocator.metresOfHeadPerBar
        var byNode: [String: Double] = [:]
        for id in onModel { byNode[places[id]!.nodeID] = residualsBar[id]! * metresPerBar }
        guard let location = locators.locate(residualsM: byNode) else { return nil }
        let toMap = MapProjection(network: network, places: places)
        var candidates: [LocationCandidate] = location.nodes.map { n in
            var c = LocationCandidate()
            c.nodeID = n.nodeID
            c.score = n.score
            if let p = toMap?.position(n.x, n.y) { (c.lat, c.lon) = p }
            return c
        }
        for pipe in location.pipes.prefix(3) {
            var c = LocationCandidate()
            c.linkID = pipe.linkID
            c.score = pipe.score
            if let link = network.linkIndex[pipe.linkID].map({ network.links[$0] }) {
                let (a, b) = (network.nodes[link.from], network.nodes[link.to])
                if let ax = a.x, let ay = a.y, let bx = b.x, let by = b.y, let p = toMap?.position((ax + bx) / 2, (ay + by) / 2) {
                    (c.lat, c.lon) = p
                }
            }
            candidates.append(c)
        }
        let residuals = onModel.map { id in "\(id) \(String(format: "%+.2f", residualsBar[id]! * metresPerBar)) m" }
        var note = "network model \(name): junctions, then pipes, ranked by how well a leak there explains "
            + "the pressure residuals (\(againstDemand ? "observed head − what the zone's demand explains" : "observed − forecast head")) of "
            + "\(onModel.count) sensors: \(residuals.joined(separator: ", "))"
        if toMap == nil { note += "; no map positions: fewer than 3 sensors tie the model's coordinates to latitude and longitude" }
        return (candidates, note)
    }
}

/// The network's coordinates to latitude and longitude, affine, fitted on the sensors that
/// sit on nodes with coordinates; nil with fewer than three such sensors or when they are
/// in a line.
struct MapProjection {
    let lat: [Double]
    let lon: [Double]

    init?(network: WaterNetwork, places: [String: SensorPlace]) {
        var rows: [[Double]] = []
        var lats: [Double] = []
        var lons: [Double] = []
        for place in places.values {
            guard let i = network.nodeIndex[place.nodeID], let x = network.nodes[i].x, let y = network.nodes[i].y,
                place.lat != 0 || place.lon != 0
            else { continue }
            rows.append([1, x, y])
            lats.append(place.lat)
            lons.append(place.lon)
        }
        guard rows.count >= 3 else { return nil }
        // Sensors in a line leave one direction unknown: the fit is then not a map.
        let n = Double(rows.count)
        let mx = rows.reduce(0) { $0 + $1[1] } / n
        let my = rows.reduce(0) { $0 + $1[2] } / n
        let sxx = rows.reduce(0) { $0 + ($1[1] - mx) * ($1[1] - mx) }
        let syy = rows.reduce(0) { $0 + ($1[2] - my) * ($1[2] - my) }
        let sxy = rows.reduce(0) { $0 + ($1[1] - mx) * ($1[2] - my) }
        guard sxx > 0, syy > 0, (sxx * syy - sxy * sxy) / (sxx * syy) > 1e-6,
            let lat = LeastSquares.fit(rows, lats), let lon = LeastSquares.fit(rows, lons)
        else { return nil }
        self.lat = lat
        self.lon = lon
    }

    func position(_ x: Double?, _ y: Double?) -> (Double, Double)? {
        guard let x, let y else { return nil }
        return (lat[0] + lat[1] * x + lat[2] * y, lon[0] + lon[1] * x + lon[2] * y)
    }
}

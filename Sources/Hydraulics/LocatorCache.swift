/// Network locators per set of sensor nodes, each built on first use (a locator solves the
/// network once per junction): what insight and the offline pipeline locate leaks with.
public struct LocatorCache: Sendable {
    public let network: WaterNetwork
    private var locators: [[String]: NetworkLocator] = [:]

    public init(network: WaterNetwork) {
        self.network = network
    }

    /// Locates a leak from pressure residuals (metres of head) keyed by the node each sensor
    /// sits on; nil when fewer than two of the nodes are on the model, the locator cannot be
    /// built, or nothing moved.
    public mutating func locate(residualsM byNode: [String: Double]) -> NetworkLocator.Location? {
        let nodes = byNode.keys.filter { network.nodeIndex[$0] != nil }.sorted()
        guard nodes.count >= 2 else { return nil }
        let locator: NetworkLocator
        if let known = locators[nodes] {
            locator = known
        } else {
            guard let built = try? NetworkLocator(network: network, sensorNodeIDs: nodes) else { return nil }
            locators[nodes] = built
            locator = built
        }
        let location = locator.locate(residualsM: nodes.map { byNode[$0] })
        return location.nodes.isEmpty ? nil : location
    }
}

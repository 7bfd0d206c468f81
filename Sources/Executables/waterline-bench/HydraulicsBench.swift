import Foundation
import Hydraulics

// MARK: 13. Hydraulics: the EPANET engine on L-Town

/// L-Town (782 junctions, 905 pipes, 3 PRVs, a pump and a tank; the fixture that the
/// solver tests compare with EPANET): the file read, one steady state from EPANET's
/// initial flows (mean of 20), and a 24-hour extended-period run at 5-minute steps.
func benchHydraulics() throws {
    let path = "Tests/HydraulicsTests/Fixtures/ltown.inp"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        print("hydraulics: \(path) not found (run the bench from the repository root)")
        return
    }
    var started = ContinuousClock.now
    var network = try InpReader.read(text)
    let read = ContinuousClock.now - started
    let solver = try SteadyStateSolver(network: network)
    let solves = 20
    var trials = 0
    started = ContinuousClock.now
    for _ in 0..<solves { trials += try solver.solve().trials }
    let steady = (ContinuousClock.now - started) / solves
    network.options.durationS = 86_400
    started = ContinuousClock.now
    var run = ExtendedPeriodSimulation(solver: try SteadyStateSolver(network: network))
    var steps = 0
    var epsTrials = 0
    while true {
        epsTrials += try run.solveNow().trials
        steps += 1
        if run.advance() == 0 { break }
    }
    let eps = ContinuousClock.now - started
    let junctions = network.nodes.filter(\.isJunction).count
    print("hydraulics: L-Town (\(junctions) junctions, \(network.links.count) links): read in \(read); one steady state in \(steady) (\(trials / solves) trials); 24 h at 5 min: \(steps) solutions, \(epsTrials) trials, in \(eps)")
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few distributions simulations and benchmarks draw from, on the seeded generator, so
/// that one seed always gives the same draws.
extension SeededGenerator {
    /// A uniform double in `range`.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// True with probability `probability`.
    public mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// An exponential variate with the given mean (the gap between Poisson arrivals).
    public mutating func exponential(mean: Double) -> Double { -mean * log(1 - unit()) }

    /// A standard normal variate (Box–Muller).
    public mutating func gaussian() -> Double {
        sqrt(-2 * log(Swift.max(1e-300, 1 - unit()))) * cos(2 * Double.pi * unit())
    }

    /// An index drawn with probability proportional to `weights`.
    public mutating func pick(weights: [Double]) -> Int {
        var remaining = unit() * weights.reduce(0, +)
        for (index, weight) in weights.enumerated() {
            remaining -= weight
            if remaining < 0 { return index }
        }
        return weights.count - 1
    }
}

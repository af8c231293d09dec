/// `ippgate bench load` (being written).
enum BenchLoadCommand {
    static func run(_ args: [String]) throws -> Int32 {
        throw UsageError("bench load is not available yet")
    }
}

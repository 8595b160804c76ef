/// Finding where a bounded query starts: the deepest cell that holds the query's whole
/// bounding box, so the walk skips the levels above it instead of testing their siblings.
extension QuadTree {
    /// The deepest cell containing every point within `radiusMetres` of `center`; the root
    /// when the circle crosses the antimeridian or reaches a pole.
    func entryCell(around center: GeoPoint, radiusMetres: Double) -> Cell {
        guard radiusMetres.isFinite else { return .root }
        // A little wider than the circle, so rounding at the box's edge can never cut it.
        let box = GeoBox.around(center, radiusMetres: radiusMetres * 1.001 + 1)
        guard !box.wraps, box.west > -180, box.east < 180, box.south > -90, box.north < 90 else { return .root }
        return entryCell(southWest: GridPoint(try! GeoPoint(latitude: box.south, longitude: box.west)),
                         northEast: GridPoint(try! GeoPoint(latitude: box.north, longitude: box.east)))
    }

    /// The deepest cell containing the grid box from `southWest` to `northEast`.
    func entryCell(southWest: GridPoint, northEast: GridPoint) -> Cell {
        var cell = Cell.root
        while true {
            let node = nodes[Int(cell.node)]
            guard !node.isLeaf, southWest.sharesCell(with: northEast, atDepth: Int(node.depth) + 1) else { return cell }
            cell = cell.child(node.quadrant(of: southWest), first: node.firstChild, depth: node.depth)
        }
    }
}

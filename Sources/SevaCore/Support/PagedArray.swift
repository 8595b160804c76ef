/// A growable array held in fixed-size pages, for the registry's per-handle tables.
///
/// An `Array` that outgrows its buffer moves every element to one twice the size: at half a
/// million workers the registry's tables took 22 ms to double, all of it on the engine loop
/// during one registration. A page, once allocated, never moves: growing adds a page (and,
/// now and then, doubles the small list of pages), so the cost of a registration does not
/// depend on how many came before it. Reading an element costs one more load than an array.
public struct PagedArray<Element: Sendable>: Sendable {
    /// Elements per page: 4 096, so the list of pages stays a few kilobytes at ten million
    /// elements and a page of the largest element (a worker's record) is a few hundred KB.
    static var pageShift: Int { 12 }
    static var pageSize: Int { 1 << pageShift }
    static var pageMask: Int { pageSize - 1 }

    private var pages: [[Element]] = []
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }
    public var indices: Range<Int> { 0..<count }

    public subscript(index: Int) -> Element {
        get { pages[index &>> Self.pageShift][index & Self.pageMask] }
        _modify { yield &pages[index &>> Self.pageShift][index & Self.pageMask] }
    }

    public mutating func append(_ element: Element) {
        if count & Self.pageMask == 0 {
            var page: [Element] = []
            page.reserveCapacity(Self.pageSize)
            pages.append(page)
        }
        pages[pages.count - 1].append(element)
        count += 1
    }

    /// Appends copies of `element` until there are `newCount` elements.
    mutating func grow(to newCount: Int, filling element: Element) {
        while count < newCount { append(element) }
    }

    /// Drops the elements from `newCount` on.
    mutating func truncate(to newCount: Int) {
        precondition(newCount >= 0 && newCount <= count, "truncate beyond the end")
        while count > newCount {
            pages[pages.count - 1].removeLast()
            count -= 1
            if count & Self.pageMask == 0 { pages.removeLast() }
        }
    }

    /// The highest index whose element satisfies `predicate`, searching from the end.
    func lastIndex(where predicate: (Element) -> Bool) -> Int? {
        var index = count - 1
        while index >= 0 {
            if predicate(self[index]) { return index }
            index -= 1
        }
        return nil
    }
}

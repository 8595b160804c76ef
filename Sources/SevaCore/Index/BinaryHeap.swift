/// A binary min-heap over `Comparable` elements; wrap elements in `Reverse` for a max-heap.
public struct BinaryHeap<Element: Comparable> {
    public private(set) var elements: [Element] = []

    public init(capacity: Int = 0) { elements.reserveCapacity(capacity) }

    public var count: Int { elements.count }
    /// The least element.
    public var top: Element? { elements.first }

    public mutating func push(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child] < elements[parent] else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    public mutating func pop() -> Element? {
        guard !elements.isEmpty else { return nil }
        let last = elements.count - 1
        elements.swapAt(0, last)
        let top = elements.removeLast()
        siftDown()
        return top
    }

    /// Replaces the least element with `element` (cheaper than pop then push).
    public mutating func replaceTop(_ element: Element) {
        elements[0] = element
        siftDown()
    }

    private mutating func siftDown() {
        var parent = 0
        let count = elements.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            var least = left
            let right = left + 1
            if right < count && elements[right] < elements[left] { least = right }
            guard elements[least] < elements[parent] else { return }
            elements.swapAt(least, parent)
            parent = least
        }
    }
}

/// Inverts an element's order, turning `BinaryHeap` into a max-heap.
struct Reverse<Wrapped: Comparable>: Comparable {
    let value: Wrapped
    static func < (lhs: Self, rhs: Self) -> Bool { rhs.value < lhs.value }
}

extension BinaryHeap: Sendable where Element: Sendable {}

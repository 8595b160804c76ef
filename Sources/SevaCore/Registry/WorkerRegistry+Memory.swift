/// Where the registry's bytes go, structure by structure, for the benchmark's account and
/// the README's table of what each byte per worker is for.
extension WorkerRegistry {
    /// One structure's share of the registry's memory.
    public struct MemoryShare: Sendable {
        public let name: String
        public let bytes: Int
    }

    /// The bytes each structure holds (allocated capacity, not only what is in use); strings
    /// too long to be stored inline (over 15 UTF-8 bytes) count their heap buffer.
    public func memoryAccount() -> [MemoryShare] {
        var stringHeap = 0
        for handle in records.indices {
            let record = records[handle]
            for text in [record.id, record.name, record.phone] where text.utf8.count > 15 {
                stringHeap += 32 + text.utf8.count
            }
        }
        return [
            MemoryShare(name: "profile records", bytes: records.allocatedBytes),
            MemoryShare(name: "long strings' heap buffers", bytes: stringHeap),
            MemoryShare(name: "live state", bytes: live.allocatedBytes),
            MemoryShare(name: "id table", bytes: handles.allocatedBytes),
            MemoryShare(name: "index handle entries", bytes: index.entries.allocatedBytes),
            MemoryShare(name: "index leaf slots", bytes: index.pool.allocatedBytes),
            MemoryShare(name: "index nodes", bytes: index.nodes.capacity * MemoryLayout<QuadTree.Node>.stride
                            + index.parents.capacity * 4 + index.freeBlocks.capacity * 4),
            MemoryShare(name: "snapshot and listing lists", bytes: (movedHandles.capacity + roundHandles.capacity
                            + freeHandles.capacity + listing.sorted.capacity) * 4),
        ]
    }
}

extension PagedArray {
    /// Bytes of the pages allocated.
    var allocatedBytes: Int {
        (count + Self.pageSize - 1) / Self.pageSize * Self.pageSize * MemoryLayout<Element>.stride
    }
}

extension WorkerIDTable {
    var allocatedBytes: Int { (slotCount + drainingCount) * MemoryLayout<UInt32>.stride }
}

extension SlotPool {
    var allocatedBytes: Int { positions.capacity * Self.bytesPerSlot }
}

import Testing
@testable import SevaCore

@Suite struct RefFilterTests {
    @Test func noRefInsertedIsEverSurelyNewAndFewNewOnesLookOld() {
        var filter = RefFilter(capacity: 50_000)
        var random = SeededGenerator(seed: 21)
        var inserted: [ClientRef] = []
        for index in 0..<50_000 {
            let key = ClientRef(client: index % 3 == 0 ? "" : "client-\(index % 7)", ref: "r-\(random.next())")
            filter.insert(key)
            inserted.append(key)
        }
        #expect(inserted.allSatisfy(filter.mayContain), "a false 'surely new' would book a ref twice")
        var maybes = 0
        for index in 0..<100_000 where filter.mayContain(ClientRef(client: "client-\(index % 7)", ref: "fresh-\(random.next())")) {
            maybes += 1
        }
        #expect(maybes < 2_000, "\(maybes) of 100 000 fresh refs looked booked (about 1 % expected)")
        #expect(filter.count == 50_000)
    }

    @Test func theClientIsPartOfTheKey() {
        var filter = RefFilter(capacity: 1_000)
        filter.insert(ClientRef(client: "web-portal", ref: "call-17"))
        #expect(filter.mayContain(ClientRef(client: "web-portal", ref: "call-17")))
        #expect(!filter.mayContain(ClientRef(client: "helpline-crm", ref: "call-17")))
        #expect(!filter.mayContain(ClientRef(client: "web-portalc", ref: "all-17")), "the separator keeps client and ref apart")
    }
}

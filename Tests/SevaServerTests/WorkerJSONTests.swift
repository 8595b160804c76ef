import Foundation
import SevaCore
import SevaWire
import Testing
@testable import SevaServer

@Suite struct WorkerJSONTests {
    let catalogue = SkillCatalogue(["electrician", "plumber", "mason"])!
    let hathras = try! GeoPoint(latitude: 27.5960, longitude: 78.0500)

    func registryWithWorker() -> WorkerRegistry {
        var registry = WorkerRegistry(catalogue: catalogue)
        var profile = WorkerProfile(id: "w-17", skills: try! catalogue.skills(["mason", "plumber"]).get())
        profile.name = "Ramesh \"Ramu\" Kumar"
        profile.phone = "+91 98765 43210"
        profile.district = "hathras"
        profile.verified = true
        profile.ratingSum = 9
        profile.ratingCount = 2
        registry.upsert(profile, now: 1_000)
        registry.setAvailability("w-17", .on, now: 1_000)
        _ = registry.recordFix("w-17", at: GeoMath.destination(from: hathras, metres: 1_234, bearingDegrees: 90), now: 1_000)
        return registry
    }

    func object(_ json: JSONWriter) throws -> Any { try JSONSerialization.jsonObject(with: Data(json.bytes)) }

    @Test func aWorkerCarriesTheContractsFields() throws {
        let registry = registryWithWorker()
        var json = JSONWriter()
        WorkerJSON.write(registry.snapshot("w-17", now: 1_030)!, jobsToday: 3, catalogue: catalogue, into: &json)
        let worker = try #require(try object(json) as? [String: Any])
        #expect(worker["id"] as? String == "w-17")
        #expect(worker["name"] as? String == "Ramesh \"Ramu\" Kumar")
        #expect(worker["skills"] as? [String] == ["plumber", "mason"])
        #expect(worker["verified"] as? Bool == true)
        #expect(worker["status"] as? String == "available")
        #expect(worker["age_s"] as? Int == 30)
        #expect(worker["rating"] as? Double == 4.5 && worker["ratings"] as? Int == 2)
        #expect(worker["jobs_today"] as? Int == 3)
        #expect(abs((worker["lat"] as? Double ?? 0) - 27.596) < 1e-5)
    }

    @Test func aWorkerWithoutAPositionHasNoPositionFields() throws {
        var registry = WorkerRegistry(catalogue: catalogue)
        registry.upsert(WorkerProfile(id: "w-1", skills: SkillSet()), now: 0)
        var json = JSONWriter()
        WorkerJSON.write(registry.snapshot("w-1", now: 0)!, jobsToday: 0, catalogue: catalogue, into: &json)
        let worker = try #require(try object(json) as? [String: Any])
        #expect(worker["lat"] == nil && worker["lon"] == nil && worker["age_s"] == nil)
        #expect(worker["status"] as? String == "offline" && worker["rating"] == nil)
    }

    @Test func bookersSeeRoundedDistancesFromTheCellAndNoCoordinates() throws {
        let registry = registryWithWorker()
        let rows = registry.nearest(to: hathras, radiusMetres: 5_000, limit: 10, now: 1_010)
        var full = JSONWriter()
        WorkerJSON.write(rows, into: &full)
        let exact = try #require(try object(full) as? [[String: Any]])
        #expect(exact.count == 1 && exact[0]["dist_m"] as? Int == 1_234 && exact[0]["lat"] != nil)
        let grid = PrivacyGrid(cellMetres: 500)
        let coarse = registry.nearest(to: hathras, on: grid, radiusMetres: 5_000, limit: 10, now: 1_010)
        var booker = JSONWriter()
        WorkerJSON.write(coarse, into: &booker)
        let redacted = try #require(try object(booker) as? [[String: Any]])
        let fromCell = GeoMath.distanceMetres(hathras, grid.snap(rows[0].position))
        #expect(redacted[0]["dist_m"] as? Int == Int((fromCell / 100).rounded()) * 100)
        #expect(redacted[0]["lat"] == nil && redacted[0]["lon"] == nil)
        #expect(redacted[0]["age_s"] as? Int == 10 && redacted[0]["status"] as? String == "available")
    }

    /// NEAR's reply carries its rows from the engine; the connection's loop writes them — the
    /// same line as encoding them at once, and sized close enough for the output limits.
    @Test func aNearReplyWritesItsRowsWhereItIsWritten() throws {
        let registry = registryWithWorker()
        let rows = registry.nearest(to: hathras, radiusMetres: 5_000, limit: 10, now: 1_010)
        var direct = JSONWriter()
        WorkerJSON.write(rows, into: &direct)
        let reply = Reply(.nearRows(rows))
        #expect(String(decoding: reply.bytes, as: UTF8.self) == "OK " + direct.text + "\n")
        #expect(reply.size >= reply.bytes.count, "the estimate is not below the bytes written")
        let coarse = registry.nearest(to: hathras, on: PrivacyGrid(cellMetres: 500), radiusMetres: 5_000, limit: 10, now: 1_010)
        var booker = JSONWriter()
        WorkerJSON.write(coarse, into: &booker)
        #expect(String(decoding: Reply(.coarseNearRows(coarse)).bytes, as: UTF8.self) == "OK " + booker.text + "\n")
    }

    @Test func aBookersViewOfItsWorkerHasAPhoneAndNoPosition() throws {
        let registry = registryWithWorker()
        var json = JSONWriter()
        WorkerJSON.writeContact(registry.snapshot(registry.nearest(to: hathras, radiusMetres: 5_000, limit: 1, now: 1_010)[0].id,
                                                  now: 1_010)!, catalogue: catalogue, into: &json)
        let worker = try #require(try object(json) as? [String: Any])
        #expect(worker["phone"] != nil && worker["name"] != nil && worker["skills"] != nil)
        for key in ["lat", "lon", "age_s", "status", "district"] { #expect(worker[key] == nil, "\(key) given to a booker") }
    }
}

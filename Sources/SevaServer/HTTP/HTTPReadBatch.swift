import NIOCore

/// The engine work of HTTP requests read together — a pipelining client's read — as one engine
/// batch and one hop, as a line-protocol read's lines are. The requests' commands are numbered
/// on from each other here; replies go back to each request under its own numbers.
final class HTTPReadBatch: EngineClient {
    let principal: Principal
    private let handler: HTTPFaceHandler
    private var work: [EngineWork] = []
    private var epilogues: [(number: Int, make: HTTPEngineRequest.Epilogue)] = []
    /// Each request and the first number its work has here, in order.
    private var owners: [(base: Int, request: HTTPEngineRequest)] = []
    private var next = 0

    init(principal: Principal, handler: HTTPFaceHandler) {
        self.principal = principal
        self.handler = handler
    }

    /// One more request's work (numbered from 0) and, when it has one, its epilogue.
    func add(_ request: HTTPEngineRequest, work requestWork: [EngineWork], epilogue: HTTPEngineRequest.Epilogue?) {
        owners.append((next, request))
        for item in requestWork { work.append((next + item.number, item.command, item.decision)) }
        next += requestWork.count
        if let epilogue {
            epilogues.append((next, epilogue))
            next += 1
        }
    }

    /// Hands everything added to the engine in one hop.
    func hand(context: ChannelHandlerContext) { hand(work, epilogues: epilogues, context: context) }

    private func hand(_ work: [EngineWork], epilogues: [(number: Int, make: HTTPEngineRequest.Epilogue)], context: ChannelHandlerContext) {
        guard let sink = handler.sink else { return }
        let batch = EngineBatch(handler: self, context: context, sink: sink, outputLimit: 1 << 20)
        let engine = handler.engine
        let principal = self.principal
        engine.loop.execute {
            for epilogue in epilogues { batch.ticket(epilogue.number)(epilogue.make(engine, principal)) }
            engine.run(work, principal: principal, batch: batch)
        }
    }

    func batchFinished(_ replies: [(Int, Reply)], gaveBack: [EngineWork], context: ChannelHandlerContext) {
        deliver(replies, context: context)
        if !gaveBack.isEmpty { hand(gaveBack, epilogues: [], context: context) }
    }

    func respond(_ replies: [(Int, Reply)], context: ChannelHandlerContext) { deliver(replies, context: context) }

    /// Each reply to the request whose numbers it falls in; the responses they finish go out
    /// with one flush.
    private func deliver(_ replies: [(Int, Reply)], context: ChannelHandlerContext) {
        handler.writingTogether(context) { route(replies, context: context) }
    }

    private func route(_ replies: [(Int, Reply)], context: ChannelHandlerContext) {
        for (number, reply) in replies {
            var low = 0, high = owners.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if owners[middle].base <= number { low = middle } else { high = middle - 1 }
            }
            let owner = owners[low]
            owner.request.take(number - owner.base, reply, context: context)
        }
    }
}

/// Tells a client that reads slowly from one that reads nothing (DESIGN.md §6): checked every
/// so often while a connection's output is backed up, it notes any progress — bytes that left
/// sevad's buffer for the socket — and says when there has been none for `limitSeconds`
/// (`server.output_stall_s`).
///
/// Progress is judged from two counts the connection keeps: what sevad has queued in all
/// (`queued`, ever growing) and what is still buffered now. If the buffer grew by less than
/// was queued since the last check, the client took some. (Over TLS the buffer holds
/// ciphertext, a little more than the plaintext queued, so an idle reader never looks busy.)
struct OutputStallWatch {
    let limitSeconds: Double
    private var lastBuffered: Int
    private var lastQueued: Int
    private var lastProgress: Double

    init(limitSeconds: Double, buffered: Int, queued: Int, now: Double) {
        self.limitSeconds = limitSeconds
        lastBuffered = buffered
        lastQueued = queued
        lastProgress = now
    }

    /// Notes the counts at `now` (monotonic seconds); true when nothing has been read for
    /// `limitSeconds`.
    mutating func hasStalled(buffered: Int, queued: Int, now: Double) -> Bool {
        if buffered < lastBuffered + (queued - lastQueued) || buffered == 0 { lastProgress = now }
        lastBuffered = buffered
        lastQueued = queued
        return now - lastProgress >= limitSeconds
    }

    /// How long the client has read nothing, at `now`.
    func idleSeconds(now: Double) -> Double { now - lastProgress }
}

import Dispatch

/// One submitted write, type-erased for the queue: what to run inside the batch's
/// transaction, and how to complete the caller with the outcome. `perform` may run twice
/// (when another operation of its batch fails and the batch is run again); only the run that
/// commits completes the caller, so an operation must have no effect outside the transaction.
struct QueuedWrite: Sendable {
    /// What running the operation produced.
    enum Outcome {
        /// The operation ran; its completion reports success once the batch commits.
        case succeeded(@Sendable () -> Void)
        /// The operation failed on its own (a constraint, nothing to act on): its savepoint is
        /// rolled back and its completion reports the error once the batch commits.
        case failed(@Sendable () -> Void)
        /// The storage failed: the whole batch must fail.
        case storageFailure(DatabaseError)
    }

    let perform: @Sendable (StoreTransaction) -> Outcome
    let fail: @Sendable (StoreError) -> @Sendable () -> Void
    let target: CompletionTarget
    /// When it was submitted (monotonic nanoseconds), for how long it waited for its batch.
    let submittedAt = DispatchTime.now().uptimeNanoseconds

    init<Value: Sendable>(
        _ body: @escaping @Sendable (StoreTransaction) throws -> Value,
        target: CompletionTarget,
        completion: @escaping @Sendable (Result<Value, StoreError>) -> Void
    ) {
        self.target = target
        fail = { error in { completion(.failure(error)) } }
        perform = { transaction in
            do {
                let value = try body(transaction)
                return .succeeded { completion(.success(value)) }
            } catch let error as DatabaseError where error.isStorageFailure {
                return .storageFailure(error)
            } catch let error as DatabaseError {
                return .failed { completion(.failure(.database(error))) }
            } catch let error as StoreError {
                return .failed { completion(.failure(error)) }
            } catch {
                let wrapped = StoreError.database(DatabaseError(extendedCode: 1, message: "\(error)"))
                return .failed { completion(.failure(wrapped)) }
            }
        }
    }
}

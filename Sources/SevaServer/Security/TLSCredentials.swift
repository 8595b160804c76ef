import NIOConcurrencyHelpers
import NIOSSL

/// The TLS listeners' certificate and key (and, for mutual TLS, the client CA) as one server
/// context that new handshakes take; `reload` swaps in a freshly read pair, and a pair that
/// cannot be read leaves the one in use in place. Connections already up keep theirs.
final class TLSCredentials: Sendable {
    /// The PEM files a context is read from.
    struct Files: Sendable, Equatable {
        var certificate: String
        var key: String
        var clientCA: String?
    }

    private let state: NIOLockedValueBox<(files: Files, context: NIOSSLContext, summary: String)>

    init(_ files: Files) throws(TLSFailure) {
        let (context, summary) = try Self.load(files)
        state = NIOLockedValueBox((files, context, summary))
    }

    /// The context for the next handshake.
    var context: NIOSSLContext { state.withLockedValue { $0.context } }

    /// What is being served, for the log: the certificate's subject and serial.
    var summary: String { state.withLockedValue { $0.summary } }

    /// Reads `files` again; on success new handshakes use them and the summary is returned.
    func reload(_ files: Files) -> Result<String, TLSFailure> {
        do throws(TLSFailure) {
            let (context, summary) = try Self.load(files)
            state.withLockedValue { $0 = (files, context, summary) }
            return .success(summary)
        } catch {
            return .failure(error)
        }
    }

    /// TLS 1.2 or later; with a client CA, a client certificate it signed is required.
    private static func load(_ files: Files) throws(TLSFailure) -> (NIOSSLContext, String) {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(files.certificate) } catch {
            throw TLSFailure("server.tls_cert \(files.certificate): cannot read a PEM certificate (\(error))")
        }
        guard let leaf = chain.first else { throw TLSFailure("server.tls_cert \(files.certificate): no certificate in the file") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: files.key, format: .pem) } catch {
            throw TLSFailure("server.tls_key \(files.key): cannot read a PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                     privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        if let clientCA = files.clientCA {
            do { _ = try NIOSSLCertificate.fromPEMFile(clientCA) } catch {
                throw TLSFailure("server.tls_client_ca \(clientCA): cannot read a PEM certificate (\(error))")
            }
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .file(clientCA)
        }
        do {
            let context = try NIOSSLContext(configuration: configuration)
            let serial = leaf.serialNumber.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
            return (context, "certificate serial \(serial) from \(files.certificate)")
        } catch {
            throw TLSFailure("server.tls_cert and server.tls_key do not make a TLS context: \(error) (is the key the certificate's?)")
        }
    }
}

/// Why the TLS certificate, key or client CA could not be used.
struct TLSFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// What a RELOAD makes of a configuration read again, from the key table alone: the keys that
/// changed and apply now, those that changed but wait for a restart, and the configuration to
/// run with meanwhile — the new one, with every waiting key kept at the value in force.
/// Keys whose files are re-read on every reload (`.reread`) are the TLS reload's to report.
struct ConfigurationChange: Equatable {
    /// The configuration in force after the reload.
    let live: Configuration
    /// Keys (and the `rates`, `districts` sections) changed and applied, sorted.
    let changed: [String]
    /// Keys changed in the file that take effect at the next restart, sorted.
    let restartNeeded: [String]

    init(from old: Configuration, to new: Configuration) {
        var live = new
        var changed: [String] = []
        var restartNeeded: [String] = []
        for key in ConfigurationKeys.all where key.read(old) != key.read(new) {
            switch key.reload {
            case .live: changed.append(key.name)
            case .reread: break
            case .restart:
                restartNeeded.append(key.name)
                // The value in force came through this key's own check, so it passes again.
                try? key.apply(&live, key.read(old))
            }
        }
        if new.rates != old.rates { changed.append("rates") }
        if new.districts != old.districts { changed.append("districts") }
        self.live = live
        self.changed = changed.sorted()
        self.restartNeeded = restartNeeded.sorted()
    }
}

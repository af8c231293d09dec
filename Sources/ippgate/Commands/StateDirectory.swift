import Foundation

/// Where ippgate keeps its database, spool and admin socket.
enum StateDirectory {
    /// --state DIR, else /var/lib/ippgate for root, else $XDG_STATE_HOME/ippgate or ~/.local/state/ippgate.
    static func resolve(_ option: String?) -> String {
        if let option { return (option as NSString).standardizingPath.hasPrefix("/") ? option : FileManager.default.currentDirectoryPath + "/" + option }
        if getuid() == 0 { return "/var/lib/ippgate" }
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_STATE_HOME"], xdg.hasPrefix("/") { return xdg + "/ippgate" }
        return NSHomeDirectory() + "/.local/state/ippgate"
    }

    static func adminSocket(_ state: String) -> String { state + "/admin.sock" }
}

import Foundation

// ippgate: the command-line entry point. Each subcommand lives in Commands/.
exit(CLI.run(Array(CommandLine.arguments.dropFirst())))

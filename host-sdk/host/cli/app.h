// rchost's command line: subcommands, their options and --help, parsed with CLI11.
// Exit codes are listed in cli/exit_codes.h.
#pragma once

namespace host::cli {

// Parses argv, runs the chosen subcommand and returns the process exit code.
int run(int argc, char** argv);

}  // namespace host::cli

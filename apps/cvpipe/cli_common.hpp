// Shared pieces of the `cvpipe` subcommands: exit codes, error printing in the docs/cli.md format
// (`cvpipe: error: MESSAGE`, or the loaders' ready-made `FILE:LINE:COL: error: MESSAGE` lines),
// plugin loading with --plugin-path, and parameter tables for `plugins show` / `eval --help`.
#pragma once
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cvpipe/params.hpp"
#include "cvpipe/status.hpp"
#include "plugin_registry.hpp"

namespace cvpipe::cli {

enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2, kExitInterrupted = 130, kExitTerminated = 143 };

// Prints `cvpipe: error: MESSAGE` on stderr.
void print_error(const std::string& message);
// Prints a warning line `cvpipe: warning: MESSAGE` on stderr.
void print_warning(const std::string& message);
// Prints a Status from the config/recipe loaders: its message is already complete error lines.
void print_diagnostics(const Status& status);

// Exit code of a command's Status: 0 ok, 2 invalid_argument/not_found, 130 cancelled, else 1.
int exit_code_for(const Status& status);

// Adds `--plugin-path DIR` (repeatable) to a subcommand.
void add_plugin_path_option(CLI::App* app, std::vector<std::string>& dirs);
// Loads every plugin of the search path (dirs first); on a refusal prints it and returns false.
bool load_plugins(PluginRegistry& registry, const std::vector<std::string>& dirs);

// A table of parameters: name, type, default (or "required"), range/choices, doc; lines indented.
std::string param_table(const std::vector<ParamSpec>& params, const std::string& indent);
nlohmann::json param_json(const ParamSpec& p);
nlohmann::json params_json(const std::vector<ParamSpec>& params);

// "1 stage", "2 stages".
std::string plural(size_t n, const std::string& word);

}  // namespace cvpipe::cli

namespace cvpipe::cli {
// Runs a plugin command with the compute threads set to ctx.threads and Ctrl-C / SIGTERM turned
// into ctx.stop, turning an escaped exception into a runtime_error Status, then prints its output
// (if any) on stdout and its error (if any) as `cvpipe: error: ...`. Returns the exit code (130 /
// 143 when a signal stopped it).
int run_plugin_command(const CommandInfo& command, const Params& params, CommandContext ctx, bool raw_json);
}  // namespace cvpipe::cli

namespace cvpipe::cli {
// Turns a plugin command's options (`--key value`, `--key=value`, `--flag` / `--no-flag` for
// booleans; dashes in keys read as underscores) into (name, text) pairs for validate_texts();
// false, after printing `cvpipe: error: VERB: ...`, on a malformed list.
bool parse_command_options(const std::string& verb, const std::vector<std::string>& extras,
                           const std::vector<ParamSpec>& schema, std::vector<std::pair<std::string, std::string>>& out);
// The options of a subcommand that runs one plugin command (`cvpipe eval`, `cvpipe data`).
struct CommandOptions {
  bool help = false, json = false, quiet = false;
  int threads = 0;
  std::vector<std::string> plugin_paths;
};
// Adds --help/-h (the caller prints it, with print_command_help), --json, --threads/-j, --quiet/-q
// and --plugin-path, and lets every other option through as the command's parameters.
void add_command_options(CLI::App* cmd, CommandOptions& options, const std::string& help_doc, const std::string& json_doc);
// The subcommand's help, then "Options of `cvpipe INVOCATION` (summary):" and the parameter table.
void print_command_help(CLI::App* app, const std::string& invocation, const CommandInfo& command);
// `cvpipe INVOCATION [--KEY VALUE]...` (INVOCATION e.g. "eval detect"): parses `extras` with
// parse_command_options, validates them against the command's schema (paths against the working
// directory) and runs the command in the working directory; 2 on a usage error, else its exit code.
int run_command_with_options(const CommandInfo& command, const std::string& invocation,
                             const std::vector<std::string>& extras, const CommandOptions& options);
}  // namespace cvpipe::cli

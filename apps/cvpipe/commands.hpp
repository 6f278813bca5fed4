// The `cvpipe` subcommands. Each cmd_<name>.cpp defines `Subcommand add_<name>_command(CLI::App&)`,
// which adds its CLI11 subcommand (options bound to its own state) and returns the function that
// runs it after parsing and gives the exit code. To add a subcommand: write cmd_<name>.cpp, declare
// its function here and append it to the list in main.cpp.
#pragma once
#include <functional>

#include <CLI/CLI.hpp>

namespace cvpipe::cli {

struct Subcommand {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Subcommand add_run_command(CLI::App& app);
Subcommand add_validate_command(CLI::App& app);
Subcommand add_plugins_command(CLI::App& app);
Subcommand add_train_command(CLI::App& app);
Subcommand add_eval_command(CLI::App& app);
Subcommand add_bench_command(CLI::App& app);
Subcommand add_data_command(CLI::App& app);
Subcommand add_export_command(CLI::App& app);
Subcommand add_import_command(CLI::App& app);

}  // namespace cvpipe::cli

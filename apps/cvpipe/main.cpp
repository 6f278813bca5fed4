// cvpipe: the command-line entry point. Parses with CLI11 and dispatches to one subcommand
// (commands.hpp). Exit codes (docs/cli.md): 0 ok, 1 runtime failure, 2 usage or configuration error,
// 130/143/129 after a clean stop on SIGINT/SIGTERM/SIGHUP. Never lets an exception escape.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "commands.hpp"
#include "cvpipe/nn/distributed.hpp"

namespace {

int run_cli(int argc, char** argv) {
  using namespace cvpipe::cli;
  CLI::App app{"cvpipe: a computer-vision pipeline of plugin stages defined in YAML", "cvpipe"};
  app.set_version_flag("--version", std::string("cvpipe ") + CVPIPE_VERSION);
  app.require_subcommand(1);
  app.footer("Exit codes: 0 ok, 1 runtime failure, 2 usage or config error, 130/143/129 interrupted.\n"
             "Run `cvpipe COMMAND --help` for a command's options.");

  std::vector<Subcommand> commands;
  commands.push_back(add_run_command(app));
  commands.push_back(add_validate_command(app));
  commands.push_back(add_plugins_command(app));
  commands.push_back(add_train_command(app));
  commands.push_back(add_eval_command(app));
  commands.push_back(add_bench_command(app));
  commands.push_back(add_data_command(app));
  commands.push_back(add_export_command(app));
  commands.push_back(add_import_command(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what());
    std::string hint = "cvpipe --help";
    for (const auto& c : commands)
      if (c.app && c.app->parsed()) hint = "cvpipe " + c.app->get_name() + " --help";
    std::fprintf(stderr, "Run `%s` for usage.\n", hint.c_str());
    return kExitUsage;
  }
  for (const auto& c : commands)
    if (c.app && c.app->parsed()) return c.run();
  print_error("no command given; run `cvpipe --help`");
  return kExitUsage;
}

}  // namespace

// Under mpirun/srun (docs/scale-out.md) every rank runs this; a rank that fails ends the whole job
// (MPI_Abort) after its error, naming the rank, so no other rank waits for it forever.
int main(int argc, char** argv) {
  namespace dist = cvpipe::nn::dist;
  std::string mpi_error;
  if (!dist::init_if_launched(argc, argv, mpi_error)) {
    std::fprintf(stderr, "cvpipe: error: %s\n", mpi_error.c_str());
    return cvpipe::cli::kExitFailure;
  }
  int code = cvpipe::cli::kExitFailure;
  try {
    code = run_cli(argc, argv);
  } catch (const std::exception& e) {
    cvpipe::cli::print_error(std::string("internal error: ") + e.what());
  } catch (...) {
    cvpipe::cli::print_error("internal error");
  }
  const bool interrupted = code == cvpipe::cli::kExitInterrupted || code == cvpipe::cli::kExitTerminated || code == 129;
  if (dist::distributed() && code != cvpipe::cli::kExitOk && !interrupted)
    dist::abort_job(code, "exit code " + std::to_string(code) + " (its error is above); ending the job");
  dist::finalize();
  return code;
}

// A plugin's source and sink stages behind the io interfaces, built by the executor (they need
// the plugin registry), not by io::make_source / make_sink.
// - The `generate` source (`source: {type: NAME}` for a source stage, e.g. `gan`): open()
//   configures and opens the stage; read() calls produce() until it returns end_of_stream or an
//   error (a failed generator is not asked again); close() closes the stage once, after a
//   successful open.
// - A plugin sink (`sinks: [{type: NAME}]` for a sink stage): open() configures the stage and opens
//   it with the stream's info (refused when the stream's type is known and outside the stage's
//   input contract); write() hands each frame to consume() (a frame outside the contract fails
//   without reaching the stage); close() calls finish() and close() once, after a successful open.
// Exceptions a plugin throws become runtime_error Status values.
#pragma once
#include <memory>

#include "io/io.hpp"
#include "plugin_registry.hpp"

namespace cvpipe::io {

// Creates (but does not open) the source for `spec` (type generate, stage + params).
Status make_generate_source(const SourceSpec& spec, const PluginRegistry& registry, const StageContext& ctx,
                            std::unique_ptr<Source>& out);

// Creates (but does not open) the sink for `spec` (stage + params).
Status make_plugin_sink(const SinkSpec& spec, const PluginRegistry& registry, const StageContext& ctx,
                        std::unique_ptr<Sink>& out);

}  // namespace cvpipe::io

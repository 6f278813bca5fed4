// The `generate` source: a plugin stage of kind source (e.g. `gan`) driven through the io::Source
// interface. open() configures and opens the stage; read() calls produce() until it returns
// end_of_stream or an error (a failed generator is not asked again); close() closes the stage
// once, after a successful open. Exceptions a plugin throws become runtime_error Status values.
#pragma once
#include <memory>

#include "io/io.hpp"
#include "plugin_registry.hpp"

namespace cvpipe::io {

// Creates (but does not open) the source for `spec` (type generate, stage + params).
Status make_generate_source(const SourceSpec& spec, const PluginRegistry& registry, const StageContext& ctx,
                            std::unique_ptr<Source>& out);

}  // namespace cvpipe::io

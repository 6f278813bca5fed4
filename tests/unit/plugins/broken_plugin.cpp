// Deliberately broken plugins, one per refusal of the plugin loader, selected by UT_VARIANT:
//   1 no entry point, 2 ABI version 0, 3 foreign ABI tag, 4 a stage name the good test plugin
//   already registers, 5 a schema whose default is out of range, 6 an entry returning nullptr.
#include "cvpipe/plugin.hpp"

namespace {

class Nothing : public cvpipe::TransformStage {
 public:
  static std::vector<cvpipe::ParamSpec> params() {
#if UT_VARIANT == 5
    return {cvpipe::ParamSpec::integer("ksize", 40, 1, 31, "default outside its own range")};
#else
    return {};
#endif
  }
  cvpipe::Status configure(const cvpipe::Params&, const cvpipe::StageContext&) override { return {}; }
};

#if UT_VARIANT == 4
[[maybe_unused]] const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<Nothing>("ut_scale", "clashes with the unittest plugin")};
#else
[[maybe_unused]] const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<Nothing>("ut_broken_stage", "never loaded")};
#endif

}  // namespace

#if UT_VARIANT == 1
extern "C" __attribute__((visibility("default"))) int not_a_cvpipe_plugin() { return 42; }
#elif UT_VARIANT == 2 || UT_VARIANT == 3
extern "C" __attribute__((visibility("default"))) const CvpipePluginDescriptor* cvpipe_plugin_entry() {
#if UT_VARIANT == 2
  static const CvpipePluginDescriptor d{0u, CVPIPE_ABI_TAG, "ut_abi0", "0", kStages, 1, nullptr, 0};
#else
  static const CvpipePluginDescriptor d{CVPIPE_ABI_VERSION, "clang99;libc++1;opencv3", "ut_badtag", "0", kStages, 1, nullptr, 0};
#endif
  return &d;
}
#elif UT_VARIANT == 4
CVPIPE_PLUGIN("ut_dup", "0", kStages, nullptr)
#elif UT_VARIANT == 5
CVPIPE_PLUGIN("ut_badschema", "0", kStages, nullptr)
#elif UT_VARIANT == 6
extern "C" __attribute__((visibility("default"))) const CvpipePluginDescriptor* cvpipe_plugin_entry() { return nullptr; }
#endif

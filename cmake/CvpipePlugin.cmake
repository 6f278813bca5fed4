# cvpipe_add_plugin(NAME SOURCES src... [LIBRARIES lib...])
# Builds a cvpipe plugin: a MODULE library named cvpipe_<NAME>.so linked to the SDK. In the cvpipe
# tree it lands in the build's plugins/ folder and installs with cvpipe; out of tree it builds
# wherever the caller's project puts it (install it to CVPIPE_PLUGIN_INSTALL_DIR or point
# CVPIPE_PLUGIN_PATH at it).
# Out of tree, a project that names no build type builds optimised (Release): a plugin built
# without optimisation would run several times slower than the shipped ones.
if(NOT TARGET cvpipe_sdk AND NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type (cvpipe plugins default to Release)" FORCE)
endif()

function(cvpipe_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  set(target cvpipe_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES PREFIX "lib" CXX_VISIBILITY_PRESET hidden)
  if(TARGET cvpipe_sdk)
    target_link_libraries(${target} PRIVATE cvpipe_sdk ${ARG_LIBRARIES})
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${CVPIPE_BUILD_PLUGIN_DIR}")
    install(TARGETS ${target} LIBRARY DESTINATION "${CVPIPE_PLUGIN_INSTALL_DIR}")
  else()
    target_link_libraries(${target} PRIVATE cvpipe::sdk ${ARG_LIBRARIES})
  endif()
endfunction()

# cvpipe_add_plugin_test(NAME PLUGIN plugin SOURCES src... [LIBRARIES lib...])
# A GoogleTest executable for plugin `plugin` (the target cvpipe_<plugin> of cvpipe_add_plugin) on
# cvpipe::testing, registered with ctest. It compiles with CVPIPE_PLUGIN_FILE, the path of the
# built plugin module, for cvpipe::test::StageHarness(cvpipe::test::PluginFile{CVPIPE_PLUGIN_FILE}, "stage").
# Out of tree, call find_package(GTest REQUIRED) and enable_testing() first.
function(cvpipe_add_plugin_test name)
  cmake_parse_arguments(ARG "" "PLUGIN" "SOURCES;LIBRARIES" ${ARGN})
  if(TARGET cvpipe_testing)
    set(testing cvpipe_testing)
  else()
    set(testing cvpipe::testing)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${testing} GTest::gtest_main ${ARG_LIBRARIES})
  target_compile_definitions(${name} PRIVATE CVPIPE_PLUGIN_FILE="$<TARGET_FILE:cvpipe_${ARG_PLUGIN}>")
  add_dependencies(${name} cvpipe_${ARG_PLUGIN})
  include(GoogleTest)
  gtest_discover_tests(${name})
endfunction()
